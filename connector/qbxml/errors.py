"""Every error the qbXML layer raises, in one tree.

Owns: the exception classes of ``connector.qbxml``. Must not: import anything else from the
package (every module imports this one).

```
QbxmlError                      base of everything connector.qbxml raises
 ├── XmlInputError              bytes that cannot be accepted as XML (line/column when known)
 │    ├── XmlParseError         not well-formed, not XML at all, wrong or unsupported encoding
 │    └── XmlSecurityError      DOCTYPE/DTD, entity declarations or expansion
 │         ├── XmlTooLargeError the source is bigger than the byte limit
 │         └── XmlTooComplexError too many elements, too deep, or one tag/comment too long
 ├── QbxmlResponseError         well-formed XML that is not a qbXML response we can read
 │                              (e.g. a non-integer statusCode, an AMTTYPE leaf that is not a number)
 └── QbxmlVersionError          no qbXML version both sides support; an unreadable version text
```
Request building and encoding (``schema``, ``encode``, ``build``):
```
QbxmlError
 ├── QbxmlSchemaError           unknown qbXML version or element name in the schema tables
 └── QbxmlBuildError            a value cannot become valid qbXML for the version asked for
      ├── UnknownElementError   element/field not in the schema here (or not in this version)
      ├── MissingElementError   a required element (or attribute) is absent
      ├── ChoiceConflictError   children from two alternatives of one xsd:choice
      ├── BadValueError         wrong Python type, bad number/date, not an enum value
      ├── TextError             text outside ISO-8859-1 (PROTOCOL.md 1.10) or over maxLength
      └── UnsupportedError      the request type or version lacks a feature (iterator, filter)
```
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


class XmlTooComplexError(XmlSecurityError):
    """More elements, more nesting or a longer single markup construct than the scan allows
    (``connector.qbxml.prescan``): refused before any tree is built."""


class QbxmlResponseError(QbxmlError):
    """Well-formed XML that is not a readable qbXML response (``line`` is 1-based when known)."""

    def __init__(self, message: str, *, line: int | None = None) -> None:
        self.message = message
        self.line = line
        super().__init__(f"{message} (line {line})" if line is not None else message)


class QbxmlSchemaError(QbxmlError):
    """An unknown qbXML version, or an element name the schema tables do not know."""


class QbxmlBuildError(QbxmlError, ValueError):
    """A value cannot be encoded as valid qbXML. ``path`` names the element (``CustomerAdd/Name``)
    and ``version`` the qbXML version asked for."""

    def __init__(self, message: str, *, path: str = "", version: str = "") -> None:
        self.message = message
        self.path = path
        self.version = version
        where = f"{path}: " if path else ""
        suffix = f" (qbXML {version})" if version else ""
        super().__init__(f"{where}{message}{suffix}")


class UnknownElementError(QbxmlBuildError):
    """The element is not allowed here by the schema of this version."""


class MissingElementError(QbxmlBuildError):
    """A required element, required attribute, or every alternative of a required choice
    is absent."""


class ChoiceConflictError(QbxmlBuildError):
    """Children from two alternatives of one ``xsd:choice`` were given together."""


class BadValueError(QbxmlBuildError):
    """The value does not fit the element's type (wrong Python type, format, enum value)."""


class TextError(QbxmlBuildError):
    """Text QuickBooks cannot take: outside ISO-8859-1 (PROTOCOL.md 1.10) or over maxLength."""


class UnsupportedError(QbxmlBuildError):
    """The request type or qbXML version lacks the feature (iterator, filter, field)."""


class QbxmlVersionError(QbxmlError, ValueError):
    """No qbXML version both QuickBooks and we support, or a version text we cannot read."""
