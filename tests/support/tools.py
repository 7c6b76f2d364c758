"""Third-party client programs that end-to-end tests drive (installed by .ci/run)."""

from __future__ import annotations

import os
import shutil

import pytest


def need_tool(tool: str, package: str) -> str:
    """The tool's path; in CI a missing tool fails the test, elsewhere it is skipped."""
    path = shutil.which(tool)
    if path is None:
        message = f"{tool} is not installed (apt-get install {package})"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path
