"""Files that hold secrets, written readable by their owner only from the first byte.

Owns: the one way such a file is written: a temporary file in the same folder, created 0600
by ``tempfile.mkstemp`` (on POSIX), filled and fsynced, then ``os.replace``d over the path.
So the file is never visible with wider permissions, not even between a write and a
``chmod`` (issue 18 item 10), and a crash or ``kill -9`` leaves the old file or the new one,
never half of one. The agent's files, the demo's state file (``qbd-demo.json``) and the agent
demo's links use it; the SQLite database file is created 0600 by ``connector.store.db``.
Must not: know what the files mean.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

__all__ = ["write_private"]


def write_private(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` atomically; the file is readable only by the user
    (on Windows it gets the folder's ACL: the user's profile folders are private already)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)  # mode 0600
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(data)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
