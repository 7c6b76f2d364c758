"""load_settings: defaults, file, env overrides, validation that names the key, paths."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from postvak.config import ConfigError, Settings, load_settings


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "postvak.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_defaults_only() -> None:
    s = load_settings(None, env={})
    assert s.config_path is None
    assert s.limits.message_size == 52428800
    assert s.auth.plaintext_on_loopback is True
    assert s.pop3.idle_timeout == 600
    assert s.delivery.trash_retention_days == 7
    assert s.listeners["imaps"].port == 993 and s.listeners["imaps"].tls == "implicit"
    assert s.listeners["submission"].tls == "starttls"
    assert s.effective_port("imaps") == 993
    assert set(s.listeners) == {"smtp", "submission", "submissions", "imap", "imaps", "pop3", "pop3s",
                                "managesieve", "https"}


def test_file_overrides_defaults_and_keeps_the_rest(tmp_path: Path) -> None:
    path = write(tmp_path, '[server]\nhostname = "mail.example.org"\nport_offset = 10000\n'
                           '[listeners.imaps]\nport = 1993\n[limits]\nline_length = 4096\n')
    s = load_settings(str(path), env={})
    assert s.config_path == str(path)
    assert s.server.hostname == "mail.example.org"
    assert s.listeners["imaps"].port == 1993
    assert s.effective_port("imaps") == 11993
    assert s.effective_port("pop3s") == 10995
    assert s.limits.line_length == 4096
    assert s.limits.literal_size == 65536  # untouched default


def test_env_overrides_win_over_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "[limits]\nline_length = 4096\n")
    env = {
        "POSTVAK_LIMITS__LINE_LENGTH": "2048",
        "POSTVAK_LISTENERS__IMAPS__PORT": "10993",
        "POSTVAK_LISTENERS__POP3__ENABLED": "false",
        "POSTVAK_SERVER__HOSTNAME": "12345",  # a string key keeps the text as written
        "POSTVAK_SERVER__LISTEN": "127.0.0.1, ::1",
        "POSTVAK_OUTBOUND__RETRY_SCHEDULE": "[60, 120]",
        "POSTVAK_AUTH__FAILURE_DELAY_BASE": "1",  # an integer where a float is expected
        "POSTVAK_CONFIG": "ignored: not a setting",
        "POSTVAK_TEST_PG": "ignored too",
    }
    s = load_settings(str(path), env=env)
    assert s.limits.line_length == 2048
    assert s.listeners["imaps"].port == 10993
    assert s.listeners["pop3"].enabled is False
    assert s.server.hostname == "12345"
    assert s.server.listen == ("127.0.0.1", "::1")
    assert s.outbound.retry_schedule == (60, 120)
    assert s.auth.failure_delay_base == 1.0 and isinstance(s.auth.failure_delay_base, float)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('[limits]\nline_length = "abc"\n', "postvak.toml: limits.line_length: expected an integer >= 512, got 'abc'"),
        ("[limits]\nline_length = 100\n", "limits.line_length: expected an integer >= 512, got 100"),
        ("[limits]\nline_lenght = 1000\n", "limits.line_lenght: unknown setting"),
        ("[nosuch]\nx = 1\n", "nosuch: unknown setting"),
        ('[store]\nblob_backend = "s3"\n', "store.blob_backend: expected one of 'files', 'database', got 's3'"),
        ("[listeners.imaps]\nport = 70000\n", "listeners.imaps.port: expected an integer between 0 and 65535"),
        ('[listeners.imaps]\ntls = "maybe"\n', "listeners.imaps.tls: expected one of 'implicit', 'starttls'"),
        ("[listeners.gopher]\nport = 70\n", "listeners.gopher: unknown setting"),
        ('[auth]\nplaintext_on_loopback = "yes"\n', "auth.plaintext_on_loopback: expected true or false"),
        ("[server]\nlisten = []\n", "server.listen: expected a non-empty list"),
        ("[server]\nlisten = [1]\n", "server.listen: expected a non-empty list, each a string"),
        ("[pop3]\nidle_timeout = 60\n", "pop3.idle_timeout: expected an integer >= 600"),
        ("[spam]\nthreshold = 0.9\n", "spam.threshold: expected a number between 1 and 100"),
        ("[limits]\nline_length = true\n", "limits.line_length: expected an integer >= 512, got True"),
        ("server = 1\n", "server: expected a table"),
        ("[server.hostname]\nx = 1\n", "server.hostname: expected a value, got a table"),
        ("[server]\nport_offset = 65000\n", "listeners.submission.port: 587 + server.port_offset 65000 is above 65535"),
        ("[activesync]\nheartbeat_min = 4000\n", "activesync.heartbeat_min: must not exceed"),
    ],
)
def test_bad_values_name_the_file_and_key(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as info:
        load_settings(str(path), env={})
    assert message in str(info.value)
    assert str(info.value).startswith(str(path) + ": ")
    assert "\n" not in str(info.value)


def test_bad_env_value_names_the_variable() -> None:
    with pytest.raises(ConfigError) as info:
        load_settings(None, env={"POSTVAK_LIMITS__LINE_LENGTH": "abc"})
    assert str(info.value) == ("environment POSTVAK_LIMITS__LINE_LENGTH: limits.line_length: "
                               "expected an integer >= 512, got 'abc'")
    with pytest.raises(ConfigError, match="limits.nope: unknown setting"):
        load_settings(None, env={"POSTVAK_LIMITS__NOPE": "1"})


def test_missing_file_and_bad_toml(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no such file"):
        load_settings(str(tmp_path / "absent.toml"), env={})
    path = write(tmp_path, "[server\n")
    with pytest.raises(ConfigError, match="not valid TOML"):
        load_settings(str(path), env={})


def test_relative_paths_resolve_against_the_config_folder(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    folder = tmp_path / "etc"
    folder.mkdir()
    write(folder, '[server]\ndata_dir = "data"\n[tls]\ncert = "certs/c.pem"\n')
    monkeypatch.chdir(tmp_path)
    s = load_settings("etc/postvak.toml", env={})
    assert s.server.data_dir == str(folder / "data")
    assert s.store.url == f"sqlite:///{folder / 'data' / 'postvak.db'}"
    assert s.store.blob_dir == str(folder / "data" / "blobs")
    assert s.tls.cert == str(folder / "certs" / "c.pem")
    assert s.tls.key == str(folder / "data" / "key.pem")
    assert s.server.pid_file == ""  # empty stays empty: "none"
    assert os.path.isabs(s.config_path or "")


def test_relative_sqlite_url_and_absolute_ones(tmp_path: Path) -> None:
    path = write(tmp_path, '[store]\nurl = "sqlite:///db/mail.db"\n')
    assert load_settings(str(path), env={}).store.url == f"sqlite:///{tmp_path / 'db' / 'mail.db'}"
    path = write(tmp_path, '[store]\nurl = "postgresql+psycopg://u@127.0.0.1/x"\nblob_backend = "database"\n')
    assert load_settings(str(path), env={}).store.url == "postgresql+psycopg://u@127.0.0.1/x"


def test_settings_are_frozen() -> None:
    s = load_settings(None, env={})
    assert isinstance(s, Settings)
    with pytest.raises(AttributeError):
        s.imap = None  # type: ignore[misc]
    with pytest.raises(AttributeError):
        s.imap.idle_timeout = 5
    with pytest.raises(TypeError):
        s.listeners["imaps"]["port"] = 5  # type: ignore[index]
    with pytest.raises(AttributeError, match="no setting imap.nope"):
        _ = s.imap.nope
    assert isinstance(s.server.listen, tuple)
    assert s.as_dict()["listeners"]["imaps"]["port"] == 993


KEYS = ["POSTVAK_LIMITS__LINE_LENGTH", "POSTVAK_SERVER__LISTEN", "POSTVAK_SPAM__THRESHOLD", "POSTVAK_LOG__LEVEL",
        "POSTVAK_LISTENERS__IMAPS__ENABLED", "POSTVAK_OUTBOUND__RETRY_SCHEDULE", "POSTVAK_NOSUCH__KEY",
        "POSTVAK_LISTENERS__IMAPS__PORT__X", "POSTVAK_SERVER__HOSTNAME"]


@given(st.dictionaries(st.sampled_from(KEYS), st.text(max_size=30), max_size=4))
def test_any_env_value_loads_or_raises_config_error(env: dict[str, str]) -> None:
    try:
        s = load_settings(None, env=env)
    except ConfigError as exc:
        assert str(exc).startswith("environment POSTVAK_")
        return
    assert s.limits.line_length >= 512
    assert 1 <= s.spam.threshold <= 100
    assert all(isinstance(a, str) for a in s.server.listen)
