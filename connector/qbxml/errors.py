"""Every error the qbXML layer raises, in one tree.

Owns: the exception classes of ``connector.qbxml``. Must not: import anything else from the
package (every module imports this one).

```
QbxmlError                      base of everything connector.qbxml raises
 ├── XmlInputError              bytes that cannot be accepted as XML (line/column when known)
 │    ├── XmlParseError         not well-formed, not XML at all, wrong or unsupported encoding
 │    └── XmlSecurityError      DOCTYPE/DTD, entity declarations or expansion
 │         └── XmlTooLargeError the source is bigger than the byte limit
 └── QbxmlResponseError         well-formed XML that is not a qbXML response we can read
                                (e.g. a non-integer statusCode, an AMTTYPE leaf that is not a number)
```
(Request building errors are appended below by the builders' author.)
"""

from __future__ import annotations


class QbxmlError(Exception):
    """Base of every error raised by ``connector.qbxml``."""


class XmlInputError(QbxmlError):
    """The input was refused before it became a tree; ``line``/``column`` are 1-based when known."""

    def __init__(self, message: str, *, line: int | None = None, column: int | None = None) -> None:
        self.message = message
        self.line = line
        self.column = column
        where = f" (line {line}, column {column})" if line is not None else ""
        super().__init__(f"{message}{where}")


class XmlParseError(XmlInputError):
    """Not well-formed XML, not XML at all, or an encoding that is wrong or unsupported."""


class XmlSecurityError(XmlInputError):
    """Hostile or forbidden XML constructs: a DOCTYPE/DTD, entity declarations or expansion."""


class XmlTooLargeError(XmlSecurityError):
    """The source exceeded the byte limit; parsing stopped as soon as the limit was crossed."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        super().__init__(f"XML input exceeds the size limit of {limit} bytes")


class QbxmlResponseError(QbxmlError):
    """Well-formed XML that is not a readable qbXML response (``line`` is 1-based when known)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"{message} (line {line})" if line is not None else message)
