"""A long page sent to a real ``qbd-connector serve`` (issue 12): a large company's aged
receivables is a 9 MB answer, which QuickBooks does not page. Held in memory, its raw bytes
and its text grew the service by twice its size or more; read now into temporary files past
``text_spool.IN_MEMORY``, a 27 MB page grows the service's peak resident memory (``VmHWM``,
reset before the request) by a few MB. The ticket is unknown, so the service answers at once
after reading and hashing the whole page: what is measured is the page's reading."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.qbwc.scripted_work import soap_envelope
from tests.qbwc.test_hostile_soap_live import MB, Serve
from tests.qbwc.test_soap_fast import _page

pytestmark = pytest.mark.skipif(
    not Path("/proc/self/clear_refs").exists(), reason="needs Linux /proc (VmHWM, clear_refs)"
)


@pytest.fixture(scope="module")
def serve(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Serve]:
    server = Serve(tmp_path_factory.mktemp("serve"))
    try:
        yield server
    finally:
        server.stop()


def test_a_27_mb_page_costs_the_service_a_few_mb(serve: Serve) -> None:
    page = _page(140_000)
    assert len(page) > 18_000_000
    body = soap_envelope("receiveResponseXML", ticket="no-such-ticket", response=page,
                         hresult="", message="")  # fmt: skip
    assert len(body) > 24 * MB
    before = serve.reset_peak()
    answer = httpx.post(f"{serve.url}/qbwc", content=body, timeout=60,
                        headers={"Content-Type": "text/xml; charset=utf-8"})  # fmt: skip
    assert answer.status_code == 200 and b"receiveResponseXMLResult" in answer.content
    growth = serve.peak() - before
    print(f"a {len(body) / MB:.0f} MB page: peak resident memory grew by {growth / MB:.1f} MB")
    assert growth < 8 * MB  # held in memory (IN_MEMORY past the page): 142 MB
