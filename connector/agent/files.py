"""Small file doors for the agent: atomic private writes and JSON reads.

Owns: the agent's JSON files; every write goes through ``connector.private_files``
(atomic replace, 0600 from the start). Must not: know what the files mean.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from connector.agent.errors import ConfigError
from connector.private_files import write_private

__all__ = ["read_json", "write_json", "write_private"]


def write_json(path: Path, value: Any) -> None:
    write_private(path, (json.dumps(value, indent=2, sort_keys=True) + "\n").encode("utf-8"))


def read_json(path: Path) -> Any | None:
    """The JSON in ``path``, ``None`` when it does not exist; ``ConfigError`` when unreadable."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"cannot read {path}: {exc.strerror}") from None
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ConfigError(f"{path} is not valid JSON ({exc}); fix or delete it") from None
