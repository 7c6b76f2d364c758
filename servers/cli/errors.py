"""CliError: a problem the admin caused; shown as one line, exit code 1."""

from __future__ import annotations


class CliError(Exception):
    pass
