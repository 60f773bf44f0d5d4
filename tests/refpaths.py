"""Where the reference artifacts are (``../shared/reference``), for tests to import.

Import from here (``from refpaths import reference_path``), not from ``conftest``: with
several ``conftest.py`` files the module name ``conftest`` is ambiguous under pytest.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
REFERENCE = Path(os.environ.get("QBD_REFERENCE_DIR", REPO.parent / "shared" / "reference"))


def reference_path(*parts: str) -> Path:
    """A file or folder under ``../shared/reference``; skips the test when it is absent."""
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"reference artifact {path} is absent (../shared/reference not beside the checkout)"
        )
    return path
