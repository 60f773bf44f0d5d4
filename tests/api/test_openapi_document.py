"""The OpenAPI document is fit for generating typed clients (issue 19): short stable
operation ids, every error status an operation can answer documented with the one error
model, tags per resource, request examples that validate against their own schemas.

What the routes really answer is checked against this document by ``test_api_fuzz.py``
(schemathesis: status codes, content types and bodies must conform) and by
``test_generated_client.py`` (a client generated from it drives the API)."""

from __future__ import annotations

import re
from typing import Any

import jsonschema
import pytest

from connector.api.app import OPENAPI_TAGS, create_app
from connector.api.openapi import REQUEST_EXAMPLES
from connector.settings import Settings
from connector.store.db import Database
from tests.api.synced_company import no_work

# Pinned: generated clients name their methods after these, so renaming one breaks them.
STABLE_IDS = {
    "getApiIndex", "getHealth", "createCompany", "listCompanies", "getCompany",
    "createConnection", "listConnections", "getConnection", "getConnectionQwc",
    "pauseConnection", "resumeConnection", "setConnectionSchedule", "rotateConnectionPassword",
    "listSyncs", "requestSync", "getSync", "listRecords", "getRecord", "getSettings",
    "setBranding", "setIntegration", "createLink", "listLinks", "revokeLink", "listConsents",
    "createApiKey", "listApiKeys", "revokeApiKey", "createWebhook", "listWebhooks",
    "deleteWebhook", "listWebhookDeliveries", "createPush", "listPushes", "getPush",
}  # fmt: skip


@pytest.fixture(scope="module")
def document(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    url = f"sqlite:///{tmp_path_factory.mktemp('openapi') / 'doc.db'}"
    database = Database.from_url(url)
    database.migrate()
    try:
        app = create_app(Settings(database_url=url), database=database, work_source_factory=no_work)
        result: dict[str, Any] = app.openapi()
        return result
    finally:
        database.dispose()


def _operations(document: dict[str, Any]) -> list[tuple[str, str, dict[str, Any]]]:
    return [
        (method, path, operation)
        for path, item in document["paths"].items()
        for method, operation in item.items()
    ]


def test_operation_ids_are_short_stable_and_unique(document: dict[str, Any]) -> None:
    ids = [op["operationId"] for _, _, op in _operations(document)]
    assert len(ids) == len(set(ids))
    bad = [i for i in ids if not re.fullmatch(r"[a-z]+(?:[A-Z][a-z]+)*", i) or len(i) > 30]
    assert bad == []
    assert set(ids) >= STABLE_IDS, sorted(STABLE_IDS - set(ids))


def test_every_operation_has_a_declared_resource_tag(document: dict[str, Any]) -> None:
    declared = {tag["name"] for tag in OPENAPI_TAGS}
    assert [t["name"] for t in document["tags"]] == [t["name"] for t in OPENAPI_TAGS]
    for method, path, operation in _operations(document):
        assert len(operation.get("tags", [])) == 1, (method, path)
        assert operation["tags"][0] in declared, (method, path)


def _statuses(operation: dict[str, Any]) -> set[int]:
    return {int(s) for s in operation["responses"] if s.isdigit()}


@pytest.mark.parametrize(
    ("operation_id", "wanted"),
    [
        pytest.param("listRecords", {400, 401, 404, 422, 500}, id="list-records"),
        pytest.param("createCompany", {400, 401, 403, 409, 413, 422, 500}, id="create-company"),
        pytest.param("createConnection", {401, 404, 409, 413, 422}, id="create-connection"),
        pytest.param("getConnectionQwc", {401, 404, 409}, id="qwc-refused"),
        pytest.param("createApiKey", {401, 403, 413, 422}, id="admin-only"),
        pytest.param("getHealth", {503, 500}, id="health-degraded"),
    ],
)
def test_the_error_statuses_an_operation_answers_are_documented(
    document: dict[str, Any], operation_id: str, wanted: set[int]
) -> None:
    (operation,) = [op for _, _, op in _operations(document) if op["operationId"] == operation_id]
    assert wanted <= _statuses(operation)


def test_every_authenticated_operation_documents_401_and_path_ones_404(
    document: dict[str, Any],
) -> None:
    for method, path, operation in _operations(document):
        statuses = _statuses(operation)
        if operation.get("security"):
            assert 401 in statuses, (method, path)
        if "{" in path:
            assert 404 in statuses, (method, path)
        if "requestBody" in operation:
            assert {413, 422} <= statuses, (method, path)


def test_every_error_answer_uses_the_error_model(document: dict[str, Any]) -> None:
    for method, path, operation in _operations(document):
        for status, response in operation["responses"].items():
            if status[0] in "45":
                schema = response["content"]["application/json"]["schema"]
                assert schema == {"$ref": "#/components/schemas/Error"}, (method, path, status)
    error = document["components"]["schemas"]["Error"]
    assert error["required"] == ["error"]
    assert "HTTPValidationError" not in document["components"]["schemas"]


def _validator(document: dict[str, Any], ref: str) -> jsonschema.Draft202012Validator:
    root = {"$ref": ref, "components": document["components"]}
    return jsonschema.Draft202012Validator(root)


def test_every_request_body_has_an_example_valid_against_its_schema(
    document: dict[str, Any],
) -> None:
    bodies = 0
    for method, path, operation in _operations(document):
        if "requestBody" not in operation:
            continue
        bodies += 1
        schema = operation["requestBody"]["content"]["application/json"]["schema"]
        refs = re.findall(r"#/components/schemas/(\w+)", str(schema))
        assert refs and refs[0] in REQUEST_EXAMPLES, (method, path)
        examples = document["components"]["schemas"][refs[0]]["examples"]
        for example in examples:
            _validator(document, f"#/components/schemas/{refs[0]}").validate(example)
    assert bodies >= 8
    error_schema = document["components"]["schemas"]["Error"]
    for example in error_schema["examples"]:
        _validator(document, "#/components/schemas/Error").validate(example)
