"""QWC files: the application descriptor a user adds to the Web Connector.

One door for both sides: the service renders a connection's QWC (``connection_qwc``), the
client (our agent, the emulator's Web Connector) parses and checks one. Inside, in import
order (no cycle): ``model`` (the ``Qwc`` value, ``QwcProblem``, ``QwcError``) <- ``checks``
(what QBWC refuses, with its codes) <- ``document`` (XML text both ways) <- ``connection``
(a connection's QWC from the settings and its store rows).
Must not: do I/O (callers read and write the files).
"""

from __future__ import annotations

from connector.qbwc.qwc.checks import check_app_url, is_guid, validate_qwc
from connector.qbwc.qwc.connection import connection_qwc, connection_qwc_url
from connector.qbwc.qwc.document import MAX_QWC_BYTES, parse_qwc, qwc_to_xml, render_qwc
from connector.qbwc.qwc.model import (
    PersonalDataPref,
    QbType,
    Qwc,
    QwcError,
    QwcProblem,
    Style,
    UnattendedModePref,
    with_file_id,
)

__all__ = [
    "MAX_QWC_BYTES",
    "PersonalDataPref",
    "QbType",
    "Qwc",
    "QwcError",
    "QwcProblem",
    "Style",
    "UnattendedModePref",
    "check_app_url",
    "connection_qwc",
    "connection_qwc_url",
    "is_guid",
    "parse_qwc",
    "qwc_to_xml",
    "render_qwc",
    "validate_qwc",
    "with_file_id",
]
