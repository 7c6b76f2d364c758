"""Read-ahead of small messages: in order, out of order, with deletes, large messages
in between and TOP, every answer byte-exact; memory held ahead stays in budget."""

from __future__ import annotations

from postvak.servers.pop3 import readahead
from tests.servers.pop3.pop3_client import Env, message


def _mixed(env: Env, n: int) -> list[bytes]:
    """Small messages with every seventh one large (streamed, never read ahead)."""
    raws = []
    for i in range(1, n + 1):
        body = b".dotted %d\r\n" % i + (b"line of text %d\r\n" % i) * (40 * i)
        if i % 7 == 0:
            body += b"L" * 78 + b"\r\n" * 1
            body += (b"B" * 998 + b"\r\n") * (readahead.SMALL // 1000 + 5)
        raw = message(i, body)
        env.deliver(raw)
        raws.append(raw)
    return raws


def test_sequential_retr_is_byte_exact_and_reads_ahead(env: Env) -> None:
    raws = _mixed(env, 30)
    c = env.client()
    c.login()
    for i, raw in enumerate(raws, 1):
        assert c.retr(i) == raw
        ahead = c.session.readahead
        assert ahead is not None and ahead._held <= readahead.BUDGET + readahead.SMALL
    assert c.session.readahead._cache == {}  # everything read ahead was sent


def test_out_of_order_deleted_and_top(env: Env) -> None:
    raws = _mixed(env, 20)
    c = env.client()
    c.login()
    assert c.send("DELE 3").ok
    for i in (5, 1, 2, 4, 9, 8, 6, 7, 20, 10):
        assert c.retr(i) == raws[i - 1]
    assert not c.send("RETR 3").ok
    reply = c.multi("TOP 11 1")
    head, _, rest = raws[10].partition(b"\r\n\r\n")
    assert reply.body == head + b"\r\n\r\n" + rest.split(b"\r\n", 1)[0] + b"\r\n"
    assert c.retr(11) == raws[10]
    assert c.retr(12) == raws[11]
    assert c.send("NOOP").ok


def test_plan_skips_deleted_and_stops_at_a_large_message_and_the_budget(env: Env) -> None:
    raws = _mixed(env, 14)
    c = env.client()
    c.login()
    c.send("DELE 2")
    c.retr(1)
    ahead = c.session.readahead
    drop = c.session.state.maildrop
    ahead._forget()
    ahead._next = 1
    batch = ahead._plan()
    assert 2 not in batch and batch[0] == 1
    assert all(n < 7 for n in batch)  # message 7 is large: the batch ends before it
    assert sum(drop.messages[n - 1].size for n in batch) <= readahead.BUDGET
    assert len(raws) == 14
