"""Any bytes into a logged-in session: only tagged/untagged answers out, never a crash,
and a well-formed command afterwards is still served."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.servers.imap.harness import Env, message

WORDS = [b"FETCH", b"STORE", b"UID", b"SEARCH", b"LIST", b"SELECT INBOX", b"1:*", b"(", b")", b"{5}", b"{3+}",
         b"BODY[", b"]", b"\\Seen", b"\"", b"*", b"%", b"$", b" ", b"\r\n", b"APPEND", b"IDLE", b"DONE"]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(chunks=st.lists(st.one_of(st.binary(max_size=40), st.sampled_from(WORDS)), max_size=30))
def test_random_input_never_breaks_the_session(tmp_path_factory, chunks: list[bytes]) -> None:
    env = _env(tmp_path_factory)
    c = env.client()
    c.cmd("SELECT INBOX")
    c.send(b"z1 " + b"".join(chunks) + b"\r\n")
    c.settle(0.01)
    # Leave any literal / IDLE / AUTHENTICATE state the noise may have opened.
    c.send(b"DONE\r\n" + b"x" * 10 + b"\r\n")
    c.settle(0.01)
    r = c.cmd("NOOP")
    assert r.status in ("OK", "BAD")
    assert b"SERVERBUG" not in bytes(c.io.out)
    c.close()


_ENV: list[Env] = []


def _env(factory) -> Env:  # noqa: ANN001
    if not _ENV:
        e = Env(factory.mktemp("fuzz"))
        e.deliver(message("a"))
        _ENV.append(e)
    return _ENV[0]


def teardown_module() -> None:
    for e in _ENV:
        e.close()
    _ENV.clear()
