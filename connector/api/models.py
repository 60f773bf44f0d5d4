"""Response models filled from store rows by name.

Owns: ``from_row``: a model's camelCase fields (the REST contract, DESIGN.md) read from the
row attributes of the same name in snake_case (``connectionId`` from ``connection_id``).
Must not: hold SQL or route logic.
"""

from __future__ import annotations

import re
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

_HUMP = re.compile(r"(?<=[a-z0-9])([A-Z])")


def snake_name(field: str) -> str:
    """``recordsDeletedAt`` -> ``records_deleted_at``."""
    return _HUMP.sub(r"_\1", field).lower()


def from_row(model: type[M], row: object, **given: Any) -> M:
    """``model`` with the fields in ``given`` as given and every other field from ``row``'s
    attribute of its snake_case name (pydantic converts, e.g. a tuple to a list)."""
    values = {
        name: getattr(row, snake_name(name)) for name in model.model_fields if name not in given
    }
    return model(**values, **given)
