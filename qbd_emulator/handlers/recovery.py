"""Message-set error recovery: ``newMessageSetID`` / ``oldMessageSetID`` (PROTOCOL.md 1.5).

Owns: the decision, before any request of a message set runs, whether to answer from the
stored state instead, and the state itself, kept in ``CompanyFile.message_sets`` (so it
survives sessions and reloads) as JSON ``{"checksum", "response"}`` per message-set ID.
Rules, after Intuit's ErrRecovery1-3 samples and the QBFC InvoiceAdd sample's codes:

- an ID longer than 24 characters: messageSetStatusCode 9004, nothing processed;
- ``oldMessageSetID`` naming a stored set: with ``newMessageSetID`` (ErrRecovery2, "status
  for the message set") the stored response is returned again with messageSetStatusCode 0
  and nothing is processed; without it (ErrRecovery3) the stored response is cleared and
  an empty answer with code 0 comes back;
- ``oldMessageSetID="ClearAllMessageSets"`` clears every stored set (Intuit's qbXML
  message attributes table, as copied at is2qb.com); code 0 (uncertain: per application
  in QuickBooks, the whole file here);
- ``oldMessageSetID`` naming a cleared set: 9002 (no stored response);
- ``oldMessageSetID`` naming nothing: 600 without ``newMessageSetID``; with one, the set is
  processed as new;
- ``newMessageSetID`` already stored: the same requests get the stored response back
  (never processed twice: the point of recovery); different requests get 9001 (checksum).
- After processing a set with ``newMessageSetID`` its response is stored; the last
  ``KEEP`` sets are kept (uncertain: QuickBooks may keep only the last one per application).
Must not: run handlers.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass

from ..company import CompanyFile
from .envelope import RequestSet
from .render import response_document

MAX_ID = 24
KEEP = 20
CLEAR_ALL = "ClearAllMessageSets"


@dataclass(frozen=True)
class Recovered:
    """The answer error recovery gives instead of processing the message set."""

    response: str


def checksum(msgset: RequestSet) -> str:
    return hashlib.sha256(msgset.checksum_source.encode("utf-8")).hexdigest()


def _status(code: int, new_id: str | None = None) -> Recovered:
    return Recovered(response_document([], new_message_set_id=new_id, message_set_status=code))


def _load(company: CompanyFile, set_id: str) -> dict[str, str | None] | None:
    raw = company.message_sets.get(set_id)
    if raw is None:
        return None
    loaded: dict[str, str | None] = json.loads(raw)
    return loaded


def before(company: CompanyFile, msgset: RequestSet) -> Recovered | None:
    """The recovery answer, or None when the set must be processed."""
    new_id, old_id = msgset.new_message_set_id, msgset.old_message_set_id
    if any(i is not None and len(i) > MAX_ID for i in (new_id, old_id)):
        return _status(9004)
    if old_id == CLEAR_ALL and new_id is None:
        company.message_sets.clear()
        return _status(0)
    if old_id is not None:
        stored = _load(company, old_id)
        if stored is None:
            return None if new_id is not None else _status(600)
        if stored.get("response") is None:
            return _status(9002)
        if new_id is None:
            company.message_sets[old_id] = json.dumps({**stored, "response": None})
            return _status(0)
        return Recovered(str(stored["recovered"]))
    if new_id is not None:
        stored = _load(company, new_id)
        if stored is not None and stored.get("response") is not None:
            if stored.get("checksum") != checksum(msgset):
                return _status(9001, new_id)
            return Recovered(str(stored["recovered"]))
    return None


def after(company: CompanyFile, msgset: RequestSet, response: str, recovered: str) -> None:
    """Store the response of a set that carried ``newMessageSetID``."""
    new_id = msgset.new_message_set_id
    if new_id is None:
        return
    company.message_sets.pop(new_id, None)
    company.message_sets[new_id] = json.dumps(
        {"checksum": checksum(msgset), "response": response, "recovered": recovered}
    )
    while len(company.message_sets) > KEEP:
        del company.message_sets[next(iter(company.message_sets))]
