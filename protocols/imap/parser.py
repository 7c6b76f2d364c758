"""Command parsing: tag, name, then one parser per command (RFC 9051 6, RFC 3501 6).

``parse_command`` never raises: grammar errors become ``BadCommand`` events.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from postvak.protocols.imap import requests as rq
from postvak.protocols.imap.cursor import Cursor, Lit
from postvak.protocols.imap.errors import ParseError, ProtocolError
from postvak.protocols.imap.events import BadCommand, Command
from postvak.protocols.imap.fetch import Att, parse_items
from postvak.protocols.imap.limits import Limits
from postvak.protocols.imap.search import parse_charset, parse_key, parse_program, parse_return_opts

_TAG = re.compile(rb"[^\x00-\x20\x7f-\xff(){%*\"\\+]+")  # RFC 9051 9: tag = 1*<ASTRING-CHAR except "+">

STATUS_ITEMS = frozenset(
    {"MESSAGES", "RECENT", "UIDNEXT", "UIDVALIDITY", "UNSEEN", "SIZE", "HIGHESTMODSEQ", "DELETED",
     "DELETED-STORAGE", "APPENDLIMIT"}
)
SORT_KEYS = frozenset({"ARRIVAL", "CC", "DATE", "FROM", "SIZE", "SUBJECT", "TO", "DISPLAYFROM", "DISPLAYTO"})
THREAD_ALGORITHMS = frozenset({"REFERENCES", "ORDEREDSUBJECT"})
LIST_SELECTION = frozenset({"SUBSCRIBED", "REMOTE", "RECURSIVEMATCH", "SPECIAL-USE"})
LIST_RETURN = frozenset({"CHILDREN", "SUBSCRIBED", "SPECIAL-USE", "STATUS"})
SPECIAL_USE = frozenset({"\\All", "\\Archive", "\\Drafts", "\\Flagged", "\\Junk", "\\Sent", "\\Trash", "\\Important"})


def parse_command(text: bytes, literals: dict[int, Lit], limits: Limits, utf8: bool = False) -> Command | BadCommand:
    cur = Cursor(text, literals, limits, utf8)
    m = _TAG.match(text)
    if m is None or text[m.end() : m.end() + 1] != b" ":
        return BadCommand(None, "missing or invalid tag")
    tag = m.group().decode("ascii")
    cur.pos = m.end() + 1
    try:
        name = cur.word()
        uid = False
        if name == "UID":
            cur.sp()
            name = cur.word()
            if name not in _UID_COMMANDS:
                raise ParseError(f"UID {name[:20]} is not a command")
            uid = True
        parser = _COMMANDS.get(name)
        if parser is None:
            return BadCommand(tag, f"unknown command {name[:40]}")
        args = _UID_COMMANDS[name](cur, uid) if uid else parser(cur)
        cur.end()
        return Command(tag, name, args)
    except ProtocolError as exc:
        return BadCommand(tag, exc.reason, exc.code)


# --- commands without arguments ------------------------------------------------------
def _noargs(cls: Callable[[], rq.Request]) -> Callable[[Cursor], rq.Request]:
    def parse(cur: Cursor) -> rq.Request:
        return cls()

    return parse


# --- any state / not authenticated ---------------------------------------------------
def _authenticate(cur: Cursor) -> rq.Authenticate:
    cur.sp()
    mechanism = cur.word()
    initial = None
    if cur.try_expect(b" "):
        # RFC 4959 7: initial-response = base64 / "="
        initial = _base64_token(cur)
    return rq.Authenticate(mechanism, initial)


def _base64_token(cur: Cursor) -> bytes:
    m = re.compile(rb"[A-Za-z0-9+/]*=*").match(cur.text, cur.pos)
    if m is None or not m.group():
        raise cur.fail("base64")
    cur.pos = m.end()
    return m.group()


def _login(cur: Cursor) -> rq.Login:
    cur.sp()
    user = cur.astr()
    cur.sp()
    return rq.Login(user, cur.text_str(cur.astring(), "password"))


def _enable(cur: Cursor) -> rq.Enable:
    caps = []
    while cur.try_expect(b" "):
        cur.counted()
        caps.append(cur.word())
    if not caps:
        raise ParseError("ENABLE needs at least one capability")
    return rq.Enable(tuple(caps))


def _id(cur: Cursor) -> rq.Id:
    # RFC 2971 4: "ID" SP ("(" [string SP nstring *(SP string SP nstring)] ")" / nil)
    cur.sp()
    if cur.try_expect(b"NIL"):
        return rq.Id(None)

    def pair() -> tuple[str, str | None]:
        key = cur.text_str(cur.string())
        cur.sp()
        value = cur.nstring()
        return key, None if value is None else cur.text_str(value)

    return rq.Id(tuple(cur.paren_list(pair)))


# --- authenticated ---------------------------------------------------------------
def _select(readonly: bool) -> Callable[[Cursor], rq.Select]:
    def parse(cur: Cursor) -> rq.Select:
        cur.sp()
        mailbox = cur.mailbox()
        condstore, qresync = False, None
        if cur.try_expect(b" "):
            # RFC 4466 2.1 select-params; RFC 7162 3.1.8 CONDSTORE, 3.2.5 QRESYNC
            def param() -> None:
                nonlocal condstore, qresync
                word = cur.word()
                if word == "CONDSTORE":
                    condstore = True
                elif word == "QRESYNC":
                    cur.sp()
                    qresync = _qresync(cur)
                else:
                    raise ParseError(f"unknown select parameter {word[:40]}")

            cur.paren_list(param, allow_empty=False)
        return rq.Select(mailbox, readonly, condstore, qresync)

    return parse


def _qresync(cur: Cursor) -> rq.QResync:
    cur.expect(b"(")
    cur.enter()
    uidvalidity = cur.nz_number()
    cur.sp()
    modseq = cur.number64()
    known = seq_match = None
    if cur.try_expect(b" "):
        if cur.peek() != b"(":
            known = cur.seqset()
            if known.saved:
                raise ParseError("$ is not allowed in QRESYNC")
            cur.try_expect(b" ")
        if cur.peek() == b"(":
            cur.expect(b"(")
            seqs = cur.seqset()
            cur.sp()
            uids = cur.seqset()
            cur.expect(b")")
            seq_match = (seqs, uids)
    cur.expect(b")")
    cur.depth -= 1
    return rq.QResync(uidvalidity, modseq, known, seq_match)


def _create(cur: Cursor) -> rq.Create:
    cur.sp()
    mailbox = cur.mailbox()
    uses: list[str] = []
    if cur.try_expect(b" "):
        # RFC 4466 2.2 create-params; RFC 6154 3 "USE" SP "(" use-attr *(SP use-attr) ")"
        def param() -> None:
            if cur.word() != "USE":
                raise ParseError("unknown CREATE parameter")
            cur.sp()
            uses.extend(cur.paren_list(cur.flag))

        cur.paren_list(param, allow_empty=False)
    for use in uses:
        if use.capitalize() not in {u.capitalize() for u in SPECIAL_USE}:
            raise ParseError(f"unknown special use {use[:40]}", code="USEATTR")
    return rq.Create(mailbox, tuple(u[0] + u[1:].capitalize() for u in uses))


def _one_mailbox(cls: Callable[[str], rq.Request]) -> Callable[[Cursor], rq.Request]:
    def parse(cur: Cursor) -> rq.Request:
        cur.sp()
        return cls(cur.mailbox())

    return parse


def _rename(cur: Cursor) -> rq.Rename:
    cur.sp()
    old = cur.mailbox()
    cur.sp()
    return rq.Rename(old, cur.mailbox())


def _list(cur: Cursor) -> rq.List:
    # RFC 5258 3: "LIST" [SP list-select-opts] SP mailbox SP mbox-or-pat [SP list-return-opts]
    cur.sp()
    selection: list[str] = []
    extended = False
    if cur.peek() == b"(":
        extended = True
        selection = cur.paren_list(cur.word)
        bad = [s for s in selection if s not in LIST_SELECTION]
        if bad:
            raise ParseError(f"unknown LIST selection option {bad[0][:40]}")
        cur.sp()
    reference = cur.mailbox() if cur.peek() != b'"' or cur.peek(2) != b'""' else _empty(cur)
    cur.sp()
    if cur.peek() == b"(":
        extended = True
        patterns = cur.paren_list(cur.list_mailbox, allow_empty=False)
    else:
        patterns = [cur.list_mailbox()]
    returns: list[str] = []
    status: list[str] = []
    if cur.try_expect(b" "):
        extended = True
        cur.expect(b"RETURN ")

        def ret() -> str:
            word = cur.word()
            if word == "STATUS":
                # RFC 5819 2: STATUS (status-att ...)
                cur.sp()
                status.extend(_status_items(cur))
            elif word not in LIST_RETURN:
                raise ParseError(f"unknown LIST return option {word[:40]}")
            return word

        returns = cur.paren_list(ret)
    if "RECURSIVEMATCH" in selection and len(selection) == 1:
        raise ParseError("RECURSIVEMATCH needs another selection option")  # RFC 5258 3
    return rq.List(reference, tuple(patterns), frozenset(selection), frozenset(returns), tuple(status), extended)


def _empty(cur: Cursor) -> str:
    cur.pos += 2
    return ""


def _lsub(cur: Cursor) -> rq.Lsub:
    cur.sp()
    reference = cur.mailbox() if cur.peek(2) != b'""' else _empty(cur)
    cur.sp()
    return rq.Lsub(reference, cur.list_mailbox())


def _status_items(cur: Cursor) -> list[str]:
    items = cur.paren_list(cur.word, allow_empty=False)
    bad = [i for i in items if i not in STATUS_ITEMS]
    if bad:
        raise ParseError(f"unknown STATUS item {bad[0][:40]}")
    return list(dict.fromkeys(items))


def _status(cur: Cursor) -> rq.Status:
    cur.sp()
    mailbox = cur.mailbox()
    cur.sp()
    return rq.Status(mailbox, tuple(_status_items(cur)))


def _append(cur: Cursor) -> rq.Append:
    # RFC 3502 6 (MULTIAPPEND): append = "APPEND" SP mailbox 1*append-message
    cur.sp()
    mailbox = cur.mailbox()
    messages: list[rq.AppendMessage] = []
    while cur.try_expect(b" "):
        cur.counted()
        flags: tuple[str, ...] = ()
        date = None
        if cur.peek() == b"(":
            flags = cur.flag_list()
            cur.sp()
        if cur.peek() == b'"':
            date = cur.date_time()
            cur.sp()
        if cur.try_expect(b"UTF8 ("):
            # RFC 6855 4: append-data =/ "UTF8" SP "(" literal8 ")"; a plain literal is
            # tolerated, the message may carry UTF-8 headers (RFC 6532) either way.
            lit = cur.literal()
            cur.expect(b")")
            messages.append(rq.AppendMessage(flags, date, lit.data, lit.binary, utf8=True))
            continue
        lit = cur.literal()
        messages.append(rq.AppendMessage(flags, date, lit.data, lit.binary))
    if not messages:
        raise ParseError("APPEND needs a message literal")
    return rq.Append(mailbox, tuple(messages))


# --- selected ----------------------------------------------------------------------
def _expunge(cur: Cursor, uid: bool = False) -> rq.Expunge:
    if not uid:
        return rq.Expunge()
    cur.sp()
    return rq.Expunge(cur.seqset())


def _search(cur: Cursor, uid: bool = False) -> rq.Search:
    cur.sp()
    returns = charset = None
    if cur.try_expect(b"RETURN "):
        returns = parse_return_opts(cur)
        cur.sp()
    if cur.try_expect(b"CHARSET "):
        charset = parse_charset(cur)
        cur.sp()
    return rq.Search(parse_program(cur), uid, charset, returns)


def _fetch(cur: Cursor, uid: bool = False) -> rq.Fetch:
    cur.sp()
    seqset = cur.seqset()
    cur.sp()
    items, macro = parse_items(cur)
    if uid and Att("UID") not in items:
        items = (Att("UID"), *items)  # RFC 9051 6.4.9: UID FETCH always returns UID
    changedsince = None
    vanished = False
    if cur.try_expect(b" "):
        # RFC 4466 2.4 fetch-modifiers; RFC 7162 3.1.4.1 CHANGEDSINCE, 3.2.6 VANISHED
        def modifier() -> None:
            nonlocal changedsince, vanished
            word = cur.word()
            if word == "CHANGEDSINCE":
                cur.sp()
                changedsince = cur.number64()
            elif word == "VANISHED":
                vanished = True
            else:
                raise ParseError(f"unknown FETCH modifier {word[:40]}")

        cur.paren_list(modifier, allow_empty=False)
    if vanished and (not uid or changedsince is None):
        raise ParseError("VANISHED needs UID FETCH and CHANGEDSINCE")  # RFC 7162 3.2.6
    if changedsince is not None and Att("MODSEQ") not in items:
        items = (*items, Att("MODSEQ"))  # RFC 7162 3.1.4.1: CHANGEDSINCE implies MODSEQ
    return rq.Fetch(seqset, items, uid, changedsince, vanished, macro)


def _store(cur: Cursor, uid: bool = False) -> rq.Store:
    cur.sp()
    seqset = cur.seqset()
    cur.sp()
    unchangedsince = None
    if cur.try_expect(b"(UNCHANGEDSINCE "):
        unchangedsince = cur.number64()  # RFC 7162 3.1.3
        cur.expect(b") ")
    mode = ""
    if cur.peek() in (b"+", b"-"):
        mode = cur.peek().decode()
        cur.pos += 1
    cur.expect(b"FLAGS")
    silent = cur.try_expect(b".SILENT")
    cur.sp()
    if cur.peek() == b"(":
        flags = cur.flag_list()
    else:
        flags = [cur.flag()]
        while cur.try_expect(b" "):
            cur.counted()
            flags.append(cur.flag())
        if "\\*" in flags:
            raise ParseError("\\* cannot be stored")
    return rq.Store(seqset, mode, tuple(flags), silent, uid, unchangedsince)


def _copy_like(cls: type[rq.Copy] | type[rq.Move]) -> Callable[[Cursor, bool], rq.Request]:
    def parse(cur: Cursor, uid: bool = False) -> rq.Request:
        cur.sp()
        seqset = cur.seqset()
        cur.sp()
        return cls(seqset, cur.mailbox(), uid)

    return parse


def _sort(cur: Cursor, uid: bool = False) -> rq.Sort:
    # RFC 5256 5: "SORT" SP sort-criteria SP search-criteria; RFC 5267 3.2 ESORT RETURN
    cur.sp()
    returns = None
    if cur.try_expect(b"RETURN "):
        returns = parse_return_opts(cur)
        cur.sp()

    def criterion() -> rq.SortCriterion:
        reverse = cur.try_expect(b"REVERSE ")
        key = cur.word()
        if key not in SORT_KEYS:
            raise ParseError(f"unknown sort key {key[:40]}")
        return rq.SortCriterion(key, reverse)

    criteria = cur.paren_list(criterion, allow_empty=False)
    cur.sp()
    charset = parse_charset(cur)
    cur.sp()
    return rq.Sort(tuple(criteria), charset, parse_program(cur), uid, returns)


def _thread(cur: Cursor, uid: bool = False) -> rq.Thread:
    cur.sp()
    algorithm = cur.word()
    if algorithm not in THREAD_ALGORITHMS:
        raise ParseError(f"unknown thread algorithm {algorithm[:40]}")
    cur.sp()
    charset = parse_charset(cur)
    cur.sp()
    return rq.Thread(algorithm, charset, parse_program(cur), uid)


# --- quota (RFC 9208 4) and metadata (RFC 5464 4) ------------------------------------
def _getquota(cur: Cursor) -> rq.GetQuota:
    cur.sp()
    return rq.GetQuota(cur.astr())


def _setquota(cur: Cursor) -> rq.SetQuota:
    cur.sp()
    root = cur.astr()
    cur.sp()

    def limit() -> tuple[str, int]:
        name = cur.word()
        cur.sp()
        return name, cur.number64()

    return rq.SetQuota(root, tuple(cur.paren_list(limit)))


def _getmetadata(cur: Cursor) -> rq.GetMetadata:
    cur.sp()
    maxsize: int | None = None
    depth = "0"
    if cur.peek() == b"(":

        def option() -> None:
            nonlocal maxsize, depth
            word = cur.word()
            cur.sp()
            if word == "MAXSIZE":
                maxsize = cur.number()
            elif word == "DEPTH":
                depth = cur.word().lower()
                if depth not in ("0", "1", "infinity"):
                    raise ParseError("bad DEPTH")
            else:
                raise ParseError(f"unknown GETMETADATA option {word[:40]}")

        cur.paren_list(option, allow_empty=False)
        cur.sp()
    mailbox = "" if cur.try_expect(b'""') else cur.mailbox()
    cur.sp()
    if cur.peek() == b"(":
        entries = cur.paren_list(cur.astr, allow_empty=False)
    else:
        entries = [cur.astr()]
    return rq.GetMetadata(mailbox, tuple(entries), maxsize, depth)


def _setmetadata(cur: Cursor) -> rq.SetMetadata:
    cur.sp()
    mailbox = "" if cur.try_expect(b'""') else cur.mailbox()
    cur.sp()
    entries: list[tuple[str, bytes | None]] = []
    cur.expect(b"(")
    cur.enter()
    while True:
        cur.counted()
        name = cur.astr()
        cur.sp()
        entries.append((name, cur.nstring()))
        if not cur.try_expect(b" "):
            break
    cur.expect(b")")
    cur.depth -= 1
    return rq.SetMetadata(mailbox, tuple(entries))


_COMMANDS: dict[str, Callable[..., rq.Request]] = {
    "CAPABILITY": _noargs(rq.Capability),
    "NOOP": _noargs(rq.Noop),
    "LOGOUT": _noargs(rq.Logout),
    "STARTTLS": _noargs(rq.StartTls),
    "AUTHENTICATE": _authenticate,
    "LOGIN": _login,
    "ENABLE": _enable,
    "ID": _id,
    "SELECT": _select(readonly=False),
    "EXAMINE": _select(readonly=True),
    "CREATE": _create,
    "DELETE": _one_mailbox(rq.Delete),
    "RENAME": _rename,
    "SUBSCRIBE": _one_mailbox(rq.Subscribe),
    "UNSUBSCRIBE": _one_mailbox(rq.Unsubscribe),
    "LIST": _list,
    "LSUB": _lsub,
    "NAMESPACE": _noargs(rq.Namespace),
    "STATUS": _status,
    "APPEND": _append,
    "IDLE": _noargs(rq.Idle),
    "CHECK": _noargs(rq.Check),
    "CLOSE": _noargs(rq.Close),
    "UNSELECT": _noargs(rq.Unselect),
    "EXPUNGE": _expunge,
    "SEARCH": _search,
    "FETCH": _fetch,
    "STORE": _store,
    "COPY": _copy_like(rq.Copy),
    "MOVE": _copy_like(rq.Move),
    "SORT": _sort,
    "THREAD": _thread,
    "GETQUOTA": _getquota,
    "GETQUOTAROOT": _one_mailbox(rq.GetQuotaRoot),
    "SETQUOTA": _setquota,
    "GETMETADATA": _getmetadata,
    "SETMETADATA": _setmetadata,
}

_UID_COMMANDS: dict[str, Callable[[Cursor, bool], rq.Request]] = {
    "EXPUNGE": _expunge,
    "SEARCH": _search,
    "FETCH": _fetch,
    "STORE": _store,
    "COPY": _copy_like(rq.Copy),
    "MOVE": _copy_like(rq.Move),
    "SORT": _sort,
    "THREAD": _thread,
}

COMMAND_NAMES = frozenset(_COMMANDS)
__all__ = ["parse_command", "parse_key", "COMMAND_NAMES"]
