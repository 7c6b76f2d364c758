"""The one command table (STYLE.md habit 3): name -> handler, allowed states, flags."""

from __future__ import annotations

from postvak.servers.imap.commands import (
    append,
    auth,
    copy_move,
    expunge,
    fetch,
    idle,
    mailboxes,
    quota,
    search,
    select,
    store_flags,
)
from postvak.servers.imap.session import ANY, AUTH, NO_EXPUNGE, NO_SYNC, NOT_AUTH, SELECTED, Cmd

COMMANDS: dict[str, Cmd] = {
    # any state (RFC 9051 6.1)
    "CAPABILITY": Cmd(auth.capability, ANY, NO_SYNC),
    "NOOP": Cmd(auth.noop, ANY),
    "LOGOUT": Cmd(auth.logout, ANY, NO_SYNC),
    "ID": Cmd(auth.id_, ANY, NO_SYNC),
    "ENABLE": Cmd(auth.enable, AUTH, NO_SYNC),
    # not authenticated (RFC 9051 6.2)
    "STARTTLS": Cmd(auth.starttls, NOT_AUTH, NO_SYNC),
    "LOGIN": Cmd(auth.login, NOT_AUTH, NO_SYNC),
    "AUTHENTICATE": Cmd(auth.authenticate, NOT_AUTH, NO_SYNC),
    # authenticated (RFC 9051 6.3)
    "SELECT": Cmd(select.select, AUTH, NO_SYNC),
    "EXAMINE": Cmd(select.select, AUTH, NO_SYNC),
    "CREATE": Cmd(mailboxes.create, AUTH),
    "DELETE": Cmd(mailboxes.delete, AUTH),
    "RENAME": Cmd(mailboxes.rename, AUTH),
    "SUBSCRIBE": Cmd(mailboxes.subscribe, AUTH),
    "UNSUBSCRIBE": Cmd(mailboxes.unsubscribe, AUTH),
    "LIST": Cmd(mailboxes.list_, AUTH),
    "LSUB": Cmd(mailboxes.lsub, AUTH),
    "NAMESPACE": Cmd(auth.namespace, AUTH),
    "STATUS": Cmd(mailboxes.status, AUTH),
    "APPEND": Cmd(append.append, AUTH),
    "IDLE": Cmd(idle.idle, AUTH),
    "GETQUOTA": Cmd(quota.getquota, AUTH),
    "GETQUOTAROOT": Cmd(quota.getquotaroot, AUTH),
    "SETQUOTA": Cmd(quota.setquota, AUTH),
    # selected (RFC 9051 6.4)
    "CHECK": Cmd(select.check, SELECTED),
    "CLOSE": Cmd(select.close, SELECTED, NO_SYNC),
    "UNSELECT": Cmd(select.unselect, SELECTED, NO_SYNC),
    "EXPUNGE": Cmd(expunge.expunge, SELECTED),
    "SEARCH": Cmd(search.search, SELECTED, NO_EXPUNGE),
    "FETCH": Cmd(fetch.fetch, SELECTED, NO_EXPUNGE),
    "STORE": Cmd(store_flags.store, SELECTED, NO_EXPUNGE),
    "COPY": Cmd(copy_move.copy, SELECTED),
    "MOVE": Cmd(copy_move.move, SELECTED),
    "SORT": Cmd(search.sort, SELECTED, NO_EXPUNGE),
    "THREAD": Cmd(search.thread, SELECTED, NO_EXPUNGE),
}
