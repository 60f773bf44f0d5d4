"""Errors of the Web Connector service side, in one tree.

Owns: the exception classes ``connector.qbwc.server`` raises. Must not: import the rest of
the package (every module may import this one).

```
QbwcError                   base of what the QBWC service side raises
 ├── SoapRequestError       a POST refused before spyne dispatches it; becomes a SOAP
 │    │                     Client fault (never an HTML page, never a state change)
 │    ├── BodyTooLarge      the body is over the size limit (counted while reading)
 │    ├── ForbiddenXml      DOCTYPE/DTD/entities, or anything the safe XML door refuses
 │    └── MalformedSoap     not XML, not a SOAP 1.1 envelope, or not a known operation
 └── HcpError               strHCPResponse is not a readable Host/Company/Preferences reply
```
Session outcomes (unknown ticket, wrong company file, lost response) are not exceptions:
the session machine answers them on the wire as PG ch.10 says (``""``, ``-1``, getLastError).
"""

from __future__ import annotations


class QbwcError(Exception):
    """Base of every error raised by the QBWC service side."""


class SoapRequestError(QbwcError):
    """A request refused before dispatch; ``faultcode`` is the SOAP 1.1 fault code."""

    faultcode = "Client"

    def __init__(self, message: str) -> None:
        self.message = message
        self.received = 0
        """Bytes of the body read before it was refused."""
        self.head = b""
        """The first bytes of the body (a bounded prefix, for the log)."""
        super().__init__(message)


class BodyTooLarge(SoapRequestError):
    """The request body exceeds the configured limit."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.operation = ""
        """The operation, when its start tag arrived before the limit was crossed."""
        self.ticket = ""
        """receiveResponseXML's ticket, when it arrived: the page it carried can be reported
        to that session instead of the call failing (issue 18 item 2)."""
        super().__init__(f"request body exceeds the limit of {limit} bytes")


class ForbiddenXml(SoapRequestError):
    """The body uses a construct the safe XML door refuses (DTD, entities, bad encoding)."""


class MalformedSoap(SoapRequestError):
    """Not a SOAP 1.1 envelope carrying one known Web Connector operation."""


class HcpError(QbwcError):
    """strHCPResponse could not be read (not XML, or no HostQuery response in it)."""
