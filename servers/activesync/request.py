"""One authenticated ActiveSync request as the command handlers see it, and the
two ways a handler fails: a command Status, or a bare HTTP status."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from postvak.protocols.activesync import Element, RequestLine

# Versions whose differences are implemented ([MS-ASHTTP] 2.2.2.4 MS-ASProtocolVersions).
VERSIONS = ("12.1", "14.0", "14.1", "16.0", "16.1")
WBXML = "application/vnd.ms-sync.wbxml"


class CommandFailed(Exception):
    """Answer the command's own error form with this Status (raise anywhere, mapped once)."""

    def __init__(self, status: int, why: str = "") -> None:
        super().__init__(why or str(status))
        self.status = status


class HttpFailed(Exception):
    """Answer with a bare HTTP status and an empty body (e.g. 449, 400, 403)."""

    def __init__(self, code: int, why: str = "") -> None:
        super().__init__(why or str(code))
        self.code = code


@dataclass
class Request:
    ctx: Any  # ServerContext
    account: Any  # store Account
    line: RequestLine
    version: str
    body: bytes
    tree: Element | None
    peer: str
    device: dict[str, Any] = field(default_factory=dict)
    multipart: bool = False  # [MS-ASHTTP] MS-ASAcceptMultiPart: T, or the base64 query's option bit

    @property
    def device_id(self) -> str:
        return self.line.device_id

    @property
    def persistent(self) -> bool:
        from postvak.servers.activesync.state import persistent

        return persistent(self.line.device_id)

    @property
    def v(self) -> float:
        return float(self.version)

    def need_tree(self) -> Element:
        if self.tree is None:
            raise CommandFailed(101, "empty body")
        return self.tree

    async def read(self, fn: Any, *args: Any, **kw: Any) -> Any:
        return await self.ctx.runner.read(fn, *args, **kw)

    async def write(self, fn: Any, *args: Any, **kw: Any) -> Any:
        return await self.ctx.runner.write(fn, *args, **kw)

    def log(self, event: str, **kv: Any) -> None:
        self.ctx.log.info(event, account=self.account.address, device=self.device_id, **kv)
