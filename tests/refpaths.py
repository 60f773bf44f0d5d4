"""Where the reference artifacts are (``../shared/reference``), for tests to import.

Import from here (``from refpaths import reference_path``), not from ``conftest``: with
several ``conftest.py`` files the module name ``conftest`` is ambiguous under pytest.

- ``reference_path(*parts)``: a file or folder under the reference folder.
- ``require_reference()``: the reference folder itself.
- ``reference_names(*folder, pattern=...)``: for ``parametrize`` at collection time: the
  matching files' names relative to ``folder``, or one placeholder name when the folder is
  absent, so that the test runs, calls ``reference_path`` and fails in CI (an empty list would
  be a silent skip).

Each of these is ``requirements.missing`` when the part is absent: a skip saying how to get it on
a developer machine, a failure with ``CI=true``.
"""

from __future__ import annotations

import os
from pathlib import Path

from tests.requirements import missing

REPO = Path(__file__).resolve().parent.parent
REFERENCE = Path(os.environ.get("QBD_REFERENCE_DIR", REPO.parent / "shared" / "reference"))
HOW = (
    "put the shared folder beside the checkout (../shared/reference) "
    "or set QBD_REFERENCE_DIR to a copy of it"
)
ABSENT = "(reference folder absent)"


def reference_path(*parts: str) -> Path:
    """A file or folder under ``../shared/reference``; ``missing`` when it is absent."""
    path = REFERENCE.joinpath(*parts)
    if not path.exists():
        missing("the reference folder", f"{path} is absent", how=HOW)
    return path


def require_reference() -> Path:
    """The reference folder; ``missing`` when it is absent."""
    return reference_path()


def reference_names(*folder: str, pattern: str = "*.xml") -> list[str]:
    """Names (relative to ``folder``) of the files matching ``pattern`` at any depth, sorted;
    ``[ABSENT]`` when the folder is absent (the test's ``reference_path`` then says so)."""
    root = REFERENCE.joinpath(*folder)
    if not root.is_dir():
        return [ABSENT]
    return sorted(str(p.relative_to(root)) for p in root.rglob(pattern))
