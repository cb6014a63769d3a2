"""Setting the price of one record without a USD value — the `price` decision of the problems
list (`harvest review price`, the app's `v`) — and putting back what it replaced when it is
undone.

A price is USD per unit of one of the assets the record needs a price of (the record's own by
default; a trade may be valued by what was given, a fee in a third asset by that asset's). It is
recorded as a PRICE decision and stored as the record's fill of source `user:ID`
(engine.store.fill_tables), through the same valuation as a prices file or a candle, and wins
over both. The decision keeps the fill it replaced (a candle's or the file's), so an undo puts
that one back, or leaves the record flagged again. A receipt the user classified as income (or
airdrop, payment…) without a value has no stored gap: its price is that classification again,
with the value the price gives it (quantity x price)."""

from __future__ import annotations

from typing import Any

from engine.core import fixedpoint as fp
from engine.core.errors import InputError
from engine.core.units import Amount, EpochMicros
from engine.ledger import decided as how
from engine.ledger.decided import DecidedRecord
from engine.ledger.decisions import CLASSIFY, PRICE, Decision, active_by_subject
from engine.ledger.price_needs import FoundPrice, needs
from engine.planning import data_problems as kinds
from engine.planning.planner import Planner
from engine.review import ids
from engine.review.references import named
from engine.store.fill_tables import USER, usd_assets_for, user_decision, user_source


def set_price(
    planner: Planner, text: str, price_text: str, asset: str | None = None, reason: str = ""
) -> tuple[int, str]:
    """Record the user's price of a record (a problem's id, or the record's id or key); the
    decision's id and a line saying what it does."""
    price = _price(price_text)
    record, problem_asset = _record(planner, text)
    engine = planner.engine
    usd_assets = usd_assets_for(engine.config)(record.event)
    wanted = [a for need in needs(record.event, usd_assets) for a in need.assets]
    if not wanted:
        return _classified_value(planner, record, price, reason)
    chosen = (asset or "").strip().upper() or (problem_asset if problem_asset in wanted else None)
    chosen = chosen or (record.event.asset if record.event.asset in wanted else wanted[0])
    if chosen not in wanted:
        raise InputError(f"{record.ref} needs a price of {' or '.join(dict.fromkeys(wanted))}, not {chosen}")
    store = engine.store
    current = store.fills_for([record.event_id]).get(record.event_id, {}).get(chosen)
    detail: dict[str, Any] = {"asset": chosen, "price": fp.fmt(price, 0)}
    replaced = _replaced(store.decisions(include_undone=True), current)
    if replaced is not None:
        detail["replaced"] = replaced
    decision_id = store.record_decision(PRICE, record.key, detail, reason.strip(), engine.clock())
    found = FoundPrice(price, user_source(decision_id), None, USER, record.event.timestamp)
    left = store.save_user_fill(record.event_id, record.event, chosen, found, usd_assets, engine.clock())
    planner.refresh()
    still = f"; still without a USD value: {left[0]}" if left else ""
    return decision_id, (
        f"decision {decision_id}: {named(planner, record)} valued at ${fp.fmt(price)} per {chosen} "
        f"(was: {_was(current)}){still}"
    )


def price_undone(planner: Planner, decision: Decision) -> None:
    """After a PRICE decision is undone: the record valued by the user's latest price of that
    asset still in force, else by the fill the decision replaced, else flagged again."""
    engine = planner.engine
    store = engine.store
    records = store.records({decision.subject})
    if not records:
        return  # the record is no longer in the store: nothing is valued by it
    record = records[0]
    asset = str(decision.detail.get("asset"))
    current = store.fills_for([record.event_id]).get(record.event_id, {}).get(asset)
    if current is None or user_decision(current.source) != decision.id:
        return  # another price is in force for it
    later = [
        d
        for d in store.decisions()
        if d.kind == PRICE and d.subject == decision.subject and d.detail.get("asset") == asset
    ]
    if later:
        newest = later[-1]
        found: FoundPrice | None = FoundPrice(
            fp.parse(str(newest.detail["price"])), user_source(newest.id), None, USER, record.event.timestamp
        )
    else:
        found = _found(decision.detail.get("replaced"))
    usd_assets = usd_assets_for(engine.config)(record.event)
    store.save_user_fill(record.event_id, record.event, asset, found, usd_assets, engine.clock())


def _price(text: str) -> Amount:
    try:
        price = fp.parse(text)
    except ValueError:
        raise InputError(f"not a price in USD per unit: {text!r}") from None
    if price < 0:
        raise InputError(f"a price must not be negative: {text!r}")
    return price


def _record(planner: Planner, text: str) -> tuple[DecidedRecord, str | None]:
    """The record a person named, and the asset of the problem named (when one was)."""
    store = planner.engine.store
    text = text.strip()
    problems = [p for p in planner.context.problems if p.kind == kinds.NO_USD_VALUE and p.record]
    named_problems = [p for p in problems if p.key == text or ids.matching(text, [p.key])] or [
        p for p in problems if ids.matching(text, [p.record or ""])
    ]
    if len({p.record for p in named_problems}) > 1:
        raise InputError(f"{text!r} names {len(named_problems)} problems: give more of its id")
    if named_problems:
        (record,) = store.records({named_problems[0].record or ""})
        return record, named_problems[0].asset
    found = store.records_named(text)
    if len(found) > 1:
        keys = ", ".join(f"{r.ref} ({r.account})" for r in found)
        raise InputError(f"{text!r} names {len(found)} records ({keys}): give its natural key")
    if not found:
        raise InputError(
            f"no record {text!r} without a USD value: use an id from `harvest review` (a no USD value "
            "problem) or the record's id as reports show it"
        )
    (record,) = store.records({found[0].key})
    return record, None


def _classified_value(planner: Planner, record: DecidedRecord, price: Amount, reason: str) -> tuple[int, str]:
    """A receipt classified as income (or a send as a payment…) without a value: classified again,
    valued at quantity x price."""
    decision = active_by_subject(planner.engine.store.decisions(), CLASSIFY).get(record.key)
    if decision is None or decision.detail.get("as") not in how.NEEDS_VALUE or "value" in decision.detail:
        raise InputError(f"{record.ref} has a USD value: there is nothing to price")
    value = fp.mul(abs(record.event.quantity), price)
    detail = {**decision.detail, "value": fp.fmt(value, 0)}
    engine = planner.engine
    decision_id = engine.store.record_decision(CLASSIFY, record.key, detail, reason.strip(), engine.clock())
    planner.refresh()
    return decision_id, (
        f"decision {decision_id}: {named(planner, record)} classified as {detail['as']} at ${fp.fmt(value)} "
        f"(${fp.fmt(price)} per {record.event.asset}; undo gives back decision {decision.id})"
    )


def _replaced(decisions: list[Decision], current: FoundPrice | None) -> dict[str, Any] | None:
    """The fill a new price replaces, as its decision keeps it: the one before the user's prices."""
    if current is None:
        return None
    earlier = user_decision(current.source)
    if earlier is not None:
        before = next((d for d in decisions if d.id == earlier), None)
        kept = before.detail.get("replaced") if before is not None else None
        return dict(kept) if isinstance(kept, dict) else None
    return {
        "price": fp.fmt(current.price, 0),
        "source": current.source,
        "market": current.market,
        "interval": current.interval,
        "priced_at": int(current.priced_at),
    }


def _found(kept: object) -> FoundPrice | None:
    if not isinstance(kept, dict):
        return None
    return FoundPrice(
        fp.parse(str(kept["price"])), str(kept["source"]), kept.get("market"), str(kept["interval"]),
        EpochMicros(int(kept["priced_at"])),
    )  # fmt: skip


def _was(current: FoundPrice | None) -> str:
    if current is None:
        return "no price"
    return f"${fp.fmt(current.price)} from {current.source}"
