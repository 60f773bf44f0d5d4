"""Every generated record serializes (H1's encoder) to a Ret element that Intuit's XSD
accepts, for qbXML 13.0 and 16.0."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

import pytest
from lxml import etree

from connector.qbxml.encode import encode_element
from connector.qbxml.schema import Schema
from connector.qbxml.values import RecordData
from qbd_emulator.company import CompanyFile
from qbd_emulator.generate import generate
from tests.refpaths import reference_path

VERSIONS = ("13.0", "16.0")
PER_RET = 6
"""Records checked per Ret and seed (the first ones, the modified ones and the linked ones
are all among the generated shapes; every Ret of the file is covered)."""


@pytest.fixture(scope="module", params=VERSIONS)
def version(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def xsd(version: str) -> etree.XMLSchema:
    digits = version.replace(".", "")
    path = reference_path("xsd", f"qbxml{version}", f"qbxmlops{digits}.xsd")
    return etree.XMLSchema(etree.parse(str(path)))


@pytest.fixture(scope="module", params=[21, 22])
def company(request: pytest.FixtureRequest) -> CompanyFile:
    return generate(int(request.param), 400)


def sample(company: CompanyFile) -> Iterator[tuple[str, RecordData]]:
    seen: dict[str, int] = defaultdict(int)
    for table in company.records.values():
        for record in table.values():
            if seen[record.ret] < PER_RET or "LinkedTxn" in record.data:
                seen[record.ret] += 1
                yield record.ret, record.data
    company_ret = company.company_info | {"DataExtRet": company.data_ext}
    yield "CompanyRet", company_ret if company.data_ext else company.company_info
    yield "PreferencesRet", company.preferences
    yield "HostRet", company.host.as_ret()
    for entry in company.deleted:
        yield entry.as_ret()


def test_every_generated_ret_is_schema_valid(
    company: CompanyFile, version: str, xsd: etree.XMLSchema
) -> None:
    schema = Schema.for_version(version)
    checked: set[str] = set()
    for ret, data in sample(company):
        element = encode_element(schema, ret, data)
        if not xsd.validate(etree.ElementTree(element)):
            raise AssertionError(f"{ret} invalid for {version}: {xsd.error_log.last_error}")
        checked.add(ret)
    assert len(checked) >= 40, sorted(checked)


def test_data_ext_on_the_company_is_schema_valid(version: str, xsd: etree.XMLSchema) -> None:
    company = generate(1, "tiny")
    company.data_ext.append(
        {
            "OwnerID": "{57F3B9B1-86F1-4fcc-B1EE-566DE1813D20}",
            "DataExtName": "FileID",
            "DataExtType": "STR255TYPE",
            "DataExtValue": "{e3a6f2b0-1c2d-4e5f-8a9b-0c1d2e3f4a5b}",
        }
    )
    data = company.company_info | {"DataExtRet": company.data_ext}
    element = encode_element(Schema.for_version(version), "CompanyRet", data)
    assert xsd.validate(etree.ElementTree(element)), xsd.error_log.last_error
