"""Hypothesis: records of every data type, generated from the schema, survive encode -> parse.

Values are drawn from each ``*Ret`` content model of the schema itself (one branch per
choice, required children always, optional ones at random, lists for repeated elements),
encoded in a full response document and read back with the streaming parser. What must
survive: Decimals (amounts padded to 2 places compare equal), date-times with their own UTC
offset (compared offset and all), dates, booleans, ints, Latin-1 text, nested lines and refs.
"""

from __future__ import annotations

from datetime import datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from connector.qbxml import parse
from connector.qbxml.datatypes import DATA_TYPES
from connector.qbxml.encode import document, encode_element
from connector.qbxml.schema import (
    SUPPORTED_VERSIONS,
    ContentModel,
    Schema,
)
from tests.qbxml.test_roundtrip_strategies import record


def same(a: object, b: object, path: str = "") -> None:
    """Equal values of the same types; date-times must keep their offset."""
    assert type(a) is type(b), f"{path}: {type(a).__name__} != {type(b).__name__} ({a!r} / {b!r})"
    if isinstance(a, dict):
        assert isinstance(b, dict)
        assert a.keys() == b.keys(), f"{path}: {sorted(a)} != {sorted(b)}"
        for key in a:
            same(a[key], b[key], f"{path}/{key}")
    elif isinstance(a, list):
        assert isinstance(b, list) and len(a) == len(b), path
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            same(x, y, f"{path}[{i}]")
    elif isinstance(a, datetime):
        assert isinstance(b, datetime)
        assert (a, a.utcoffset()) == (b, b.utcoffset()), path
    else:
        assert a == b, f"{path}: {a!r} != {b!r}"


CASES = [pytest.param(d.query, ret, id=f"{d.key}-{ret}") for d in DATA_TYPES for ret in d.rets]


@pytest.mark.parametrize(("query", "ret"), CASES)
@settings(
    max_examples=5,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(data=st.data(), version=st.sampled_from(SUPPORTED_VERSIONS))
def test_records_round_trip(query: str, ret: str, data: st.DataObject, version: str) -> None:
    schema = Schema.for_version(version)
    rs_name = f"{query}Rs"
    spec = schema.content(rs_name).child(ret)
    assert spec is not None and isinstance(spec.content, ContentModel)
    count = data.draw(st.integers(1, 2)) if spec.repeated else 1
    records = [data.draw(record(spec.content)) for _ in range(count)]
    rs = encode_element(
        schema,
        rs_name,
        {ret: records if spec.repeated else records[0]},
        attrs={
            "requestID": "rt",
            "statusCode": 0,
            "statusSeverity": "Info",
            "statusMessage": "Status OK",
        },
    )
    raw = document(version, [rs], response=True)
    events = list(parse.iter_events(raw))
    parsed = [e for e in events if type(e).__name__ == "Record"]
    assert [e.ret for e in parsed] == [ret] * len(records)
    for original, event in zip(records, parsed, strict=True):
        same(original, event.data, ret)
