"""The one exception handlers raise; the session maps it to NO (or BYE) once."""

from __future__ import annotations


class SieveNo(Exception):
    def __init__(self, text: str, code: str | None = None, *, close: bool = False) -> None:
        super().__init__(text)
        self.text, self.code, self.close = text, code, close
