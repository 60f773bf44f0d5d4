"""Fuzzing the REST API from its own OpenAPI document (schemathesis; issue 18 "What must be
shown").

Every operation of ``/api/v1/openapi.json`` gets generated requests (valid and invalid path,
query and body values, with a valid API key), against the real app over the real store (SQLite and PostgreSQL). Each
answer must not be a server error, every error must be the documented JSON shape
``{"error": {"code", "message", "details"}}``, and status, content type and body must be
ones the document lists for that operation (issue 19). CI runs a fixed budget per operation
(``QBD_FUZZ_EXAMPLES``, default 25); longer runs set it higher (figures in bench/README).
"""

from __future__ import annotations

import json
import os
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.checks import (
    content_type_conformance,
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from connector.api.app import create_app
from connector.settings import Settings
from connector.store.companies import create_company
from connector.store.db import Database
from tests.api.synced_company import no_work

pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

KEY = "fuzz-key"
EXAMPLES = int(os.environ.get("QBD_FUZZ_EXAMPLES", "25"))


@pytest.fixture
def api_schema(db: Database) -> Any:
    """The real app over the real store (SQLite and PostgreSQL), with one company in it."""
    create_company(db, "Fuzz Co")
    app = create_app(
        Settings(database_url=db.url, bootstrap_api_key=KEY),
        database=db,
        work_source_factory=no_work,
    )
    return schemathesis.openapi.from_asgi("/api/v1/openapi.json", app)


def documented_error_shape(ctx: Any, response: Any, case: Any) -> bool | None:
    """Every 4xx/5xx answer is ``{"error": {"code", "message", "details"}}`` as JSON."""
    if response.status_code < 400:
        return None
    content_type = response.headers.get("content-type", [""])
    content_type = content_type[0] if isinstance(content_type, list) else content_type
    assert content_type.startswith("application/json"), (response.status_code, content_type)
    body = json.loads(response.content)
    assert set(body) == {"error"}, body
    assert set(body["error"]) == {"code", "message", "details"}, body
    return True


CHECKS = [
    not_a_server_error,
    documented_error_shape,
    # issue 19: nothing outside the document (status, content type, body schema)
    status_code_conformance,
    content_type_conformance,
    response_schema_conformance,
]


def _operations(schema: Any) -> list[Any]:
    return [result.ok() for result in schema.get_all_operations()]


def test_every_operation_answers_without_server_errors(api_schema: Any) -> None:
    operations = _operations(api_schema)
    assert len(operations) > 10
    cases = 0
    for operation in operations:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            suppress_health_check=list(HealthCheck),
            derandomize=True,
            database=None,
        )
        def run(case: Any) -> None:
            nonlocal cases
            cases += 1
            response = case.call(headers={"Authorization": f"Bearer {KEY}"})
            case.validate_response(response, checks=CHECKS)

        run()
    print(f"REST fuzz: {len(operations)} operations, {cases} cases, 0 failures")
