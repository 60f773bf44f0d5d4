"""Whether a link may be used, purely: expired, revoked, used, or fine.

Owns: the default lifetime of a link (7 days), the limits on a chosen lifetime, and the
rules. A setup link is *used* once its connection's Web Connector authenticated after the
link showed a password: from then on the link no longer hands out the QWC file or a
password (they could connect someone else's QuickBooks), but it still shows the status and
lets the business pause, resume or withdraw its consent, like a management link.
Must not: do I/O.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import Enum

from connector.portal.errors import LinkUnusable
from connector.store.activity import Activity
from connector.store.links import LinkKind, LinkRow

DEFAULT_VALID_DAYS = 7
MAX_VALID_DAYS = 30


class LinkState(Enum):
    OPEN = "open"
    """A setup link not used yet: every step."""
    MANAGE = "manage"
    """A used setup link or a management link: status, pause, resume, withdraw."""


@dataclass(frozen=True)
class LinkView:
    link: LinkRow
    state: LinkState


def valid_for(days: int | None) -> timedelta:
    chosen = DEFAULT_VALID_DAYS if days is None else days
    if not 1 <= chosen <= MAX_VALID_DAYS:
        raise ValueError(f"a link is valid for 1 to {MAX_VALID_DAYS} days, not {chosen}")
    return timedelta(days=chosen)


def is_used(link: LinkRow, activity: Activity | None) -> bool:
    return (
        link.kind is LinkKind.SETUP
        and link.revealed_at is not None
        and activity is not None
        and activity.last_authenticated_at >= link.revealed_at
    )


def judge(link: LinkRow | None, activity: Activity | None, now: datetime) -> LinkView:
    """The link's state, or ``LinkUnusable`` with a message for the business."""
    if link is None:
        raise LinkUnusable(
            404,
            "link_not_found",
            "This link does not exist. Check that you copied the whole address, or ask for a new link.",
        )
    if link.revoked_at is not None:
        raise LinkUnusable(
            410,
            "link_revoked",
            "This link was cancelled. Ask for a new link if you still need one.",
        )
    if now >= link.expires_at:
        raise LinkUnusable(
            410, "link_expired", "This link has expired. Ask for a new link to continue."
        )
    if link.kind is LinkKind.MANAGE or is_used(link, activity):
        return LinkView(link, LinkState.MANAGE)
    return LinkView(link, LinkState.OPEN)


def require_open(view: LinkView) -> None:
    """Setup steps (QWC file, password) only on a link not used yet."""
    if view.state is not LinkState.OPEN:
        raise LinkUnusable(
            410,
            "link_used",
            "This link was already used to connect QuickBooks. It can no longer give out the "
            "configuration file or a password; ask for a new link to set up again.",
        )
