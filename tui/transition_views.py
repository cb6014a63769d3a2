"""What the allocation and 1099-DA screens show, as plain Python built from the engine (the
session calls these from thread workers, under its lock): rows of text, ready to draw."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from engine.api import Engine
from engine.core import fixedpoint as fp
from engine.core.dates import DayOf
from engine.core.errors import HarvestError
from engine.ledger.allocation import AssetSnapshot, Slice


@dataclass(frozen=True)
class AllocationAsset:
    rows: list[tuple[str, str, str, str, str]]  # account, lot, acquired, quantity, basis
    status: str  # "recorded" or "suggested"
    notes: list[str]  # the asset's line, then its flags
    snapshot: AssetSnapshot | None = None  # the asset on 2025-01-01 (the edit dialog starts from it)
    slices: tuple[Slice, ...] = ()  # what the rows show


AllocationView = dict[str, AllocationAsset]


@dataclass(frozen=True)
class ReconcileView:
    year: int
    rows: list[tuple[str, str, str, str, str, str, str]]  # status, account, asset, sale, date, units, what
    summary: str
    entries: list[int | None] = field(default_factory=list)  # per row: the sale entered by hand it shows
    accounts: tuple[str, ...] = ()  # the accounts known (the entry dialog suggests them)


def allocation_view(engine: Engine) -> AllocationView:
    from engine.planning.allocation import propose, recorded

    day = engine.calendar.day_function()
    in_force = {item.allocation.asset: item for item in recorded(engine)}
    view: AllocationView = {}
    for proposal in propose(engine):
        asset = proposal.snapshot.asset
        item = in_force.get(asset)
        if item is not None:
            slices, status, flags = item.allocation.slices, "recorded", list(item.flags)
        else:
            slices, status = proposal.allocation.slices, "suggested"
            flags = [f"cannot be recorded: {p}" for p in proposal.problems] + [
                f"if recorded today: {f}" for f in proposal.flags
            ]
        rows = [_row(piece, day) for piece in slices]
        headline = _headline(proposal.snapshot, status, day)
        view[asset] = AllocationAsset(rows, status, [headline, *flags], proposal.snapshot, tuple(slices))
    return view


def _row(piece: Slice, day: DayOf) -> tuple[str, str, str, str, str]:
    acquired = date.fromordinal(day(piece.acquired)).isoformat()
    basis = "unknown" if piece.basis is None else fp.fmt_cents(piece.basis)
    return piece.account, piece.key, acquired, fp.fmt(piece.quantity, 0), basis


def _headline(snapshot: AssetSnapshot, status: str, day: DayOf) -> str:
    held = ", ".join(f"{account} {fp.fmt(quantity, 0)}" for account, quantity in snapshot.held.items())
    first = snapshot.first_disposal
    sold = "no disposal from 2025 yet" if first is None else (
        f"first disposal {date.fromordinal(day(first[0])).isoformat()} in {first[1]}"
    )  # fmt: skip
    return f"{snapshot.asset} ({status}): held {held}; {fp.fmt(snapshot.units_of_basis, 0)} of unused basis; {sold}"


def record_suggestion(engine: Engine, asset: str) -> str:
    from engine.planning.allocation import propose, record

    try:
        (done,) = record(engine, propose(engine, [asset]), reason="recorded in the app")
    except HarvestError as exc:
        return str(exc)
    flags = f"; {'; '.join(done.flags)}" if done.flags else "; timely"
    return f"Recorded the allocation of {asset} (decision {done.allocation.decision_id}){flags}"


def reconcile_view(engine: Engine) -> ReconcileView:
    from engine.reports.broker_forms import reconcile_year

    year = engine.tax_year()
    result = reconcile_year(engine, year)
    rows = []
    entries: list[int | None] = []
    for match in result.matched:
        sale = match.sale
        what = "; ".join(
            f"{d.field} {d.broker} vs {d.harvest}: {d.cause}"
            if d.broker or d.harvest
            else f"{d.field}: {d.cause}"
            for d in match.differences
        )
        entry = next((row.entry for row in match.rows if row.entry is not None), None)
        if entry is not None:
            what = f"{what or 'same figures'} (entered by hand)"
        rows.append(("differs" if match.differences else "matched", sale.account, sale.asset, sale.sale_id,
                     _day(sale.sold), fp.fmt(sale.quantity, 0), what or "same figures"))  # fmt: skip
        entries.append(entry)
    for row in result.form_only:
        where = f"line {row.line}" if row.entry is None else f"by hand {row.entry}"
        rows.append(("1099-DA only", row.account, row.asset, where, _day(row.sold),
                     fp.fmt(row.units, 0), "no such sale in harvest"))  # fmt: skip
        entries.append(row.entry)
    for sale in result.harvest_only:
        rows.append(("harvest only", sale.account, sale.asset, sale.sale_id, _day(sale.sold),
                     fp.fmt(sale.quantity, 0), "not on the 1099-DA: Form 8949 box I/L"))  # fmt: skip
        entries.append(None)
    differing = sum(1 for m in result.matched if m.differences)
    summary = (f"{len(result.matched) - differing} matched, {differing} differing, {len(result.form_only)} on the "
               f"1099-DA only, {len(result.harvest_only)} in harvest only")  # fmt: skip
    if result.without_form:
        summary += "; no 1099-DA imported for " + ", ".join(sorted(result.without_form))
    known = {a.name for a in engine.config.accounts} | {row[1] for row in rows} | set(result.without_form)
    return ReconcileView(year, rows, summary, entries, tuple(sorted(known)))


def enter_sale(engine: Engine, values: dict[str, str], shown_year: int) -> str:
    """A sale typed from a paper Form 1099-DA into the store (FormEntryError names a bad field);
    one sold in another year than the reconciliation on screen says where it is listed."""
    from engine.reports.broker_forms import enter_form_row

    row = enter_form_row(engine, values)
    said = (f"Entered a Form 1099-DA sale by hand ({row.entry}): {row.account} {row.asset} "
            f"{fp.fmt(row.units, 0)} sold {_day(row.sold)}, proceeds {fp.fmt_cents(row.proceeds)}")  # fmt: skip
    if row.year != shown_year:
        said += (f" — a {row.year} sale, not listed here ({shown_year}): "
                 f"harvest 1099da reconcile --year {row.year} reconciles it")  # fmt: skip
    return said


def remove_sale(engine: Engine, entry: int) -> str:
    from engine.reports.broker_forms import remove_entry

    try:
        row = remove_entry(engine, entry)
    except HarvestError as exc:
        return str(exc)
    return f"Removed the sale entered by hand ({entry}): {row.account} {row.asset} sold {_day(row.sold)}"


def _day(day: int) -> str:
    return date.fromordinal(day).isoformat()
