"""Where a specific identification must be made. Units in your own wallet: in your books, no
later than the sale (Treas. Reg. §1.1012-1(j)(2)). Units a broker holds: given to the broker no
later than the sale (§1.1012-1(j)(3)(ii)) — except from 2025 through 2026, when your own books
and records also suffice (Notice 2025-7, extended to December 31, 2026 by Notice 2026-20 §3.03).
So an identification dated 2027 or later for an account a broker holds must reach the broker:
the checklist says so, per account."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from engine.core.dates import DayOf
from engine.core.units import DayOrdinal
from engine.planning.checklist import IDENTIFIED, PLANNED, Step

RELIEF_LAST_DAY = DayOrdinal(date(2026, 12, 31).toordinal())  # Notice 2026-20 §3.03


def broker_notice(account: str, identified: DayOrdinal, broker: bool | None) -> str | None:
    """The notice for an identification of units in `account` dated `identified` (tax zone);
    `broker`: the account is a broker's (True), your own wallet (False), or not known (None)."""
    if identified <= RELIEF_LAST_DAY or broker is False:
        return None
    held = f"{account} is a broker's account" if broker else f"if a broker holds {account}"
    return (f"{held}: give this identification to the broker no later than the sale; from 2027 your own "
            "records no longer suffice (Treas. Reg. §1.1012-1(j)(3)(ii); the relief of Notices 2025-7 and "
            "2026-20 ended December 31, 2026)")  # fmt: skip


def broker_accounts(configured: Iterable[str], with_forms: Iterable[str] = ()) -> set[str]:
    """Accounts harvest knows a broker holds: the exchange accounts in the config, and those a
    Form 1099-DA was imported for."""
    return set(configured) | set(with_forms)


def step_notices(steps: Iterable[Step], today: DayOrdinal, day: DayOf, brokers: set[str]) -> dict[int, str]:
    """Step number -> its notice, for steps still to be sold: identified (dated by their
    identification) or planned (to be identified today or later)."""
    found = {}
    for step in steps:
        if step.state == IDENTIFIED and step.identified_at is not None:
            dated = day(step.identified_at)
        elif step.state == PLANNED:
            dated = today
        else:
            continue
        notice = broker_notice(step.account, dated, True if step.account in brokers else None)
        if notice is not None:
            found[step.number] = notice
    return found
