"""``defMacro`` / ``useMacro``: naming, within one message set, what an earlier Add created.

Owns: the macro table of one message set and the substitution into a request's body.
Intuit's qbXML reference (defMacro, e.g. CheckAdd, CreditCardChargeAdd): "You can use the
defMacro attribute to assign a name to the TxnID or TxnListID that this aggregate will
return. This way you can refer to the transaction by name in a later request", written
``defMacro="TxnID:RecvPmt1234"`` and used as ``<TxnID useMacro="TxnID:RecvPmt1234"/>``.
The table lives for one message set (uncertain: QuickBooks may keep it for the session);
a macro used before it is defined answers a status of the 9100-9199 range that Intuit's
status-code table reserves for macro errors (uncertain: the exact code and text).
Must not: run handlers.
"""

from __future__ import annotations

import copy
import dataclasses

from connector.qbxml.values import RecordData

from ..errors import StatusError
from .context import MacroPath, Reply, Request

UNDEFINED_MACRO = 9100


def undefined(name: str) -> StatusError:
    return StatusError(UNDEFINED_MACRO, f'The macro "{name}" is not defined.')  # uncertain


def resolve(request: Request, table: dict[str, str]) -> Request:
    """``request`` with every ``useMacro`` leaf set to the ID its macro names."""
    if not request.use_macros:
        return request
    body = copy.deepcopy(dict(request.body))
    for use in request.use_macros:
        if use.macro not in table:
            raise undefined(use.macro)
        _set(body, use.path, table[use.macro])
    return dataclasses.replace(request, body=body)


def _set(body: RecordData, path: MacroPath, value: str) -> None:
    node: RecordData = body
    for depth, (name, index) in enumerate(path):
        current = node.get(name)
        if depth == len(path) - 1:
            if isinstance(current, list):
                current[index] = value
            else:
                node[name] = value
            return
        child = current[index] if isinstance(current, list) else current
        if not isinstance(child, dict):
            return  # the schema check made sure the path exists
        node = child


def define(request: Request, answer: Reply, table: dict[str, str]) -> None:
    """After a successful Add, its ``defMacro`` names the new record's TxnID/ListID."""
    if request.def_macro is None or answer.status.severity == "Error" or not answer.rets:
        return
    ret = answer.rets[0][1]
    if not isinstance(ret, dict):
        return
    wanted = request.def_macro.split(":", 1)[0]
    for field in (wanted, "TxnID", "ListID"):
        if isinstance(ret.get(field), str):
            table[request.def_macro] = str(ret[field])
            return
