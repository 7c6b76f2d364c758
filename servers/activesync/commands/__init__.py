"""The command table: one module per command family; `error_tree` builds the
Status-only answer each command gives when it fails (errors are mapped once, in
server.py)."""

from __future__ import annotations

from postvak.protocols.activesync.element import E, Element
from postvak.servers.activesync.commands import (
    compose,
    estimate,
    folders,
    itemops,
    moveitems,
    ping,
    provision,
    search,
    settings,
    sync,
)

COMMANDS = {
    "Provision": provision.handle,
    "FolderSync": folders.handle_sync,
    "FolderCreate": folders.handle_create,
    "FolderUpdate": folders.handle_update,
    "FolderDelete": folders.handle_delete,
    "Sync": sync.handle,
    "GetItemEstimate": estimate.handle,
    "Ping": ping.handle,
    "ItemOperations": itemops.handle,
    "MoveItems": moveitems.handle,
    "SendMail": compose.handle,
    "SmartReply": compose.handle,
    "SmartForward": compose.handle,
    "Search": search.handle_search,
    "Find": search.handle_find,
    "ResolveRecipients": search.handle_resolve,
    "Settings": settings.handle,
    "ValidateCert": settings.handle_validatecert,
}

# The root element of each command's answer ([MS-ASCMD] 2.2.1.x).
ROOTS = {
    "Provision": "Provision:Provision", "FolderSync": "FolderHierarchy:FolderSync",
    "FolderCreate": "FolderHierarchy:FolderCreate", "FolderUpdate": "FolderHierarchy:FolderUpdate",
    "FolderDelete": "FolderHierarchy:FolderDelete", "Sync": "AirSync:Sync",
    "GetItemEstimate": "GetItemEstimate:GetItemEstimate", "Ping": "Ping:Ping",
    "ItemOperations": "ItemOperations:ItemOperations", "MoveItems": "Move:MoveItems",
    "SendMail": "ComposeMail:SendMail", "SmartReply": "ComposeMail:SmartReply",
    "SmartForward": "ComposeMail:SmartForward", "Search": "Search:Search", "Find": "Find:Find",
    "ResolveRecipients": "ResolveRecipients:ResolveRecipients", "Settings": "Settings:Settings",
    "ValidateCert": "ValidateCert:ValidateCert", "MeetingResponse": "MeetingResponse:MeetingResponse",
}


def error_tree(command: str, status: int) -> Element:
    root = ROOTS.get(command, "AirSync:Sync")
    namespace = root.partition(":")[0]
    if command == "MoveItems":  # Status lives inside Response there
        return E(root, E("Move:Response", E("Move:Status", text=status)))
    return E(root, E(f"{namespace}:Status", text=status))
