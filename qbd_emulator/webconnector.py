"""The fake Web Connector: the QBWC client wired to the fake QuickBooks over real HTTP(S).

Owns: what Intuit's Web Connector does around one update of one application: registering
the QWC's FileID in the company file when the application is added (PG p.36, App. A
QBWC1022-1027), then one session (``connector.qbwc.client.run_session``) against the
AppURL through the httpx transport. Must not: know the service's internals (it only speaks
SOAP to AppURL), or print (the command does).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from connector.processors.base import RequestProcessor
from connector.qbwc.client import ClientConfig, SessionSummary, run_session
from connector.qbwc.qwc import Qwc
from connector.qbwc.transport import HttpxTransport, SoapQbwcService
from qbd_emulator.company import CompanyFile

__all__ = ["register_file_id", "run_webconnector"]


def register_file_id(company: CompanyFile, qwc: Qwc) -> bool:
    """Write the QWC's FileID into ``company`` as a private DataExt under its OwnerID, as
    QBWC does when the application is added; ``False`` when it is already there.

    QuickBooks keeps one value per (OwnerID, DataExtName); OwnerIDs compare without case.
    """
    owner = qwc.owner_id.lower()
    for ext in company.data_ext:
        if str(ext.get("OwnerID", "")).lower() == owner and ext.get("DataExtName") == "FileID":
            if ext.get("DataExtValue") == qwc.file_id:
                return False
            ext["DataExtValue"] = qwc.file_id
            return True
    company.data_ext.append(
        {
            "OwnerID": qwc.owner_id,
            "DataExtName": "FileID",
            "DataExtType": "STR255TYPE",
            "DataExtValue": qwc.file_id,
        }
    )
    return True


def run_webconnector(
    qwc: Qwc,
    password: str,
    processor: RequestProcessor,
    *,
    verify: bool | str = True,
    timeout: float = 60.0,
    config: ClientConfig | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> SessionSummary:
    """One update session of ``qwc`` against its AppURL, QuickBooks being ``processor``.

    ``verify`` is ``True``, ``False`` or a CA file (a self-signed test certificate).
    """
    with HttpxTransport(qwc.app_url, verify=verify, timeout=timeout) as transport:
        return run_session(
            qwc, password, SoapQbwcService(transport), processor, config=config, sleep=sleep
        )
