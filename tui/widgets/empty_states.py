"""What a pane with nothing to show says instead: how to get data in, or why there is nothing."""

from __future__ import annotations

from decimal import Decimal

from tui import format as fmt
from tui.keys import Keys
from tui.session import Snapshot

IMPORT_HINT = "`harvest import FILE`"


def holdings_note(keys: Keys) -> str:
    return f"Nothing here yet — {IMPORT_HINT} or press {keys.hint('sync')} to sync (`harvest demo` shows a sample)"


def checklist_note(keys: Keys) -> str:
    return f"No steps — press {keys.hint('toggle_plan')} on a candidate to plan it"


def candidates_note(snapshot: Snapshot, min_loss: Decimal, keys: Keys) -> str:
    """Why there is no candidate ('' when there are some), most basic cause first."""
    if snapshot.candidates:
        return ""
    sync = keys.hint("sync")
    if not snapshot.holdings:
        return f"No candidates: nothing held yet — {IMPORT_HINT} or press {sync} to sync"
    if all(h.price is None for h in snapshot.holdings):
        return (
            f"No candidates: no prices yet — press {sync} to sync, or give a prices file "
            "(harvest --prices FILE, or prices.file in the config)"
        )
    blocked = {(b.account, b.asset) for b in snapshot.blocked}
    if all((h.account, h.asset) in blocked for h in snapshot.holdings):
        return f"No candidates: every position is blocked ({len(blocked)}) — the ? rows say why"
    under_water = [
        h
        for h in snapshot.holdings
        if (h.account, h.asset) not in blocked
        and ((h.unrealized_short or 0) < 0 or (h.unrealized_long or 0) < 0)
    ]
    also = f" ({len(blocked)} blocked: the ? rows)" if blocked else ""
    if under_water and min_loss > 0:
        return f"No candidates: no loss is above harvest.min_loss ({fmt.usd_decimal(min_loss)}){also}"
    return f"No candidates: nothing is under water at current prices{also}"
