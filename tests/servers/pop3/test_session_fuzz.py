"""Property: whatever bytes a client sends, the session answers only well-formed
status lines or multi-line bodies, and never crashes."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from postvak.servers.pop3.session import Pop3Session
from tests.servers.pop3.pop3_client import close_env, make_env

WORDS = [b"USER ", b"PASS ", b"AUTH PLAIN ", b"STAT", b"LIST ", b"UIDL", b"RETR 1", b"TOP 1 ", b"DELE ",
         b"RSET", b"NOOP", b"CAPA", b"STLS", b"UTF8", b"\r\n", b"\n", b"*", b"=", b".", b"\xff"]
chunks = st.lists(st.one_of(st.sampled_from(WORDS), st.binary(max_size=40)), max_size=30)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(parts=chunks)
def test_any_input_gets_only_protocol_answers(tmp_path_factory, parts: list[bytes]) -> None:  # noqa: ANN001
    env = _env(tmp_path_factory)
    c = env.client(tls=False, host="192.0.2.1")  # non-loopback, clear: no argon2 runs
    errors: list[str] = []
    c.io.log = _Recorder(errors)
    c.session.log = c.io.log
    for part in parts:
        c.feed(part)
    c.settle(0.01)
    assert not errors
    for line in bytes(c.io.out).split(b"\r\n")[:-1]:
        assert line.startswith((b"+OK", b"-ERR", b"+ ")) or line in (b".", b"STLS") or line.isupper() \
            or line.split(b" ")[0].isalnum() or line.startswith(b"SASL")
    c.session.connection_lost()


class _Recorder:
    def __init__(self, errors: list[str]) -> None:
        self.errors = errors

    def error(self, event: str, **kw: object) -> None:
        self.errors.append(event)

    def info(self, event: str, **kw: object) -> None:
        pass

    warning = debug = info

    def bind(self, **kw: object) -> _Recorder:
        return self


_ENV: list = []


def _env(factory):  # noqa: ANN001, ANN202 - one store for all examples (fast)
    if not _ENV:
        _ENV.append(make_env(Path(factory.mktemp("fuzz"))))
    return _ENV[0]


def teardown_module() -> None:
    for env in _ENV:
        close_env(env)
    _ENV.clear()
    assert Pop3Session
