"""Filling in the USD values records were imported or synced without (`harvest prices fill`, and
after every import and sync).

The records to price are those with a flagged leg (engine.ledger.legs): income, rewards and
airdrops without a value, crypto-to-crypto trades, fees in a third asset, a transfer's fee in the
coin sent. Each gap is a price at the record's time (engine.ledger.price_needs): the price the
user set for that record (`harvest review price`, a fill of source `user:ID`) above all, else the
historical prices file when it has one (the user's own figures win over a lookup, and replace a
price filled earlier from candles), else kept from an earlier fill, else looked up in exchange
candles (engine.exchanges.history_prices).

How a price reaches the ledger: the record as the source gave it stays untouched; the price is
stored in `price_fills`, keyed by the record, with its source, market, candle interval and
time and when it was filled, and the record's legs are rebuilt from the record with its prices
in the same transaction. So the lots and reports read valued legs, `harvest prices list` shows
where each value came from (by the lot and sale ids the reports use), a re-import of the same
file keeps them (its records are known and skipped), and a second fill finds nothing to do. A
gap no source fills stays flagged, and is reported with the reason; it is never valued at zero.

This module imports no ccxt: a lookup is passed in (only when sources are configured and the
run is not offline), so the import command stays light."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Collection
from dataclasses import dataclass, field
from datetime import date
from functools import partial
from pathlib import Path
from typing import Protocol

from engine.config.load import Config
from engine.core.units import MICROS_PER_MINUTE, DayOrdinal, EpochMicros
from engine.imports.price_history import HistoryFile
from engine.ledger.events import Event
from engine.ledger.price_needs import FoundPrice, Need, needs
from engine.store.fill_tables import Fill, Refilled, usd_assets_for, user_decision, valued_legs
from engine.store.store import Store

Key = tuple[str, EpochMicros]  # (asset, minute)


class Lookup(Protocol):
    """Prices at past minutes (engine.exchanges.history_prices.CandleHistory)."""

    failures: dict[str, str]

    def lookup(self, keys: Collection[Key]) -> dict[Key, FoundPrice | str]: ...


@dataclass(frozen=True)
class MissingGroup:
    """Values still without a price: one asset, day (tax zone) and account, for one reason."""

    asset: str
    day: str  # YYYY-MM-DD
    account: str
    count: int
    why: str


@dataclass
class FillReport:
    filled: Counter[tuple[str, str]] = field(default_factory=Counter)  # (source, interval) -> values
    replaced: int = 0  # of those, values that replace an earlier fill
    missing: list[MissingGroup] = field(default_factory=list)
    failures: dict[str, str] = field(default_factory=dict)  # source -> why it failed

    @property
    def filled_count(self) -> int:
        return sum(self.filled.values())

    @property
    def missing_count(self) -> int:
        return sum(group.count for group in self.missing)


def minute_of(at: EpochMicros) -> EpochMicros:
    return EpochMicros(at // MICROS_PER_MINUTE * MICROS_PER_MINUTE)


@dataclass
class _Gap:
    """One need of one record, and what has been found for it."""

    event_id: int
    event: Event
    need: Need
    chosen: tuple[str, FoundPrice] | None = None
    new: bool = False  # chosen now (not kept from an earlier fill)
    why: str = ""


def fill_prices(
    store: Store,
    config: Config,
    now: EpochMicros,
    day_of: Callable[[EpochMicros], DayOrdinal],
    history_file: HistoryFile | None = None,
    lookup: Lookup | None = None,
    no_lookup_why: str = "no exchange asked (prices.history_sources is empty)",
) -> FillReport:
    """Price what can be priced, store it, and report what was filled and what is still missing."""
    usd_assets = usd_assets_for(config)
    records = store.flagged_events(with_fills=history_file is not None)
    earlier = store.fills_for([event_id for event_id, _ in records])
    gaps = [
        _Gap(event_id, event, need) for event_id, event in records for need in needs(event, usd_assets(event))
    ]
    for gap in gaps:
        kept = earlier.get(gap.event_id, {})
        users = {a: f for a, f in kept.items() if user_decision(f.source) is not None}
        from_file = (
            None if history_file is None else _first(gap, partial(history_file.price, at=gap.event.timestamp))
        )
        if users and _first(gap, users.get) is not None:  # the user's own price wins over any source
            gap.chosen = _first(gap, users.get)
        elif from_file is not None:
            gap.chosen, gap.new = from_file, from_file[1] != kept.get(from_file[0])
        else:
            gap.chosen = _first(gap, kept.get)
    report = FillReport()
    open_gaps = [gap for gap in gaps if gap.chosen is None]
    if lookup is None:
        for gap in open_gaps:
            gap.why = no_lookup_why
    else:
        _look_up(open_gaps, lookup)
        report.failures = dict(lookup.failures)
    if history_file is not None:
        for gap in (gap for gap in open_gaps if gap.chosen is None):
            gap.why = f"no row within a day in {history_file.source}; {gap.why}"
    _save(store, gaps, earlier, usd_assets, now, report)
    missing: Counter[tuple[str, str, str, str]] = Counter()
    for gap in gaps:
        if gap.chosen is None:
            day = date.fromordinal(day_of(gap.event.timestamp)).isoformat()
            missing[(gap.need.assets[0], day, gap.event.account, gap.why)] += 1
    report.missing = [MissingGroup(a, d, acc, n, why) for (a, d, acc, why), n in sorted(missing.items())]
    return report


def fill_configured(
    store: Store,
    config: Config,
    clock: Callable[[], EpochMicros],
    day_of: Callable[[EpochMicros], DayOrdinal],
    file: Path | None = None,
    *,
    offline: bool = False,
    retry_missing: bool = False,
) -> FillReport:
    """The fill as configured: `file` (else prices.history_file), then the exchanges of
    prices.history_sources unless `offline` (ccxt is loaded only then). Nothing to price and no
    file: nothing is read."""
    from engine.imports.price_history import read_history_file

    prices = config.prices
    chosen = file or (Path(prices.history_file).expanduser() if prices.history_file else None)
    history = read_history_file(chosen) if chosen is not None else None
    if history is None and not store.flagged_count():
        return FillReport()
    lookup: Lookup | None = None
    why = "no exchange asked (prices.history_sources is empty)"
    if offline:
        why = "no exchange asked (--offline)"
    elif prices.history_sources:
        from engine.exchanges.history_prices import CandleHistory

        lookup = CandleHistory.from_config(store, prices, clock, retry_missing)
    return fill_prices(store, config, clock(), day_of, history, lookup, why)


def _first(gap: _Gap, price_of: Callable[[str], FoundPrice | None]) -> tuple[str, FoundPrice] | None:
    for asset in gap.need.assets:
        found = price_of(asset)
        if found is not None:
            return asset, found
    return None


def _look_up(gaps: list[_Gap], lookup: Lookup) -> None:
    """Each gap's assets in turn (what was received, then what was given), every gap's first
    asset in one lookup, then the second for those still open."""
    tried: dict[int, list[str]] = {}
    for rank in range(max((len(gap.need.assets) for gap in gaps), default=0)):
        asking = [gap for gap in gaps if gap.chosen is None and rank < len(gap.need.assets)]
        keys = {(gap.need.assets[rank], minute_of(gap.event.timestamp)) for gap in asking}
        answers = lookup.lookup(keys) if keys else {}
        for gap in asking:
            asset = gap.need.assets[rank]
            answer = answers[(asset, minute_of(gap.event.timestamp))]
            if isinstance(answer, FoundPrice):
                gap.chosen, gap.new = (asset, answer), True
            else:
                tried.setdefault(id(gap), []).append(answer if rank == 0 else f"{asset}: {answer}")
                gap.why = " | ".join(tried[id(gap)])


def _save(
    store: Store,
    gaps: list[_Gap],
    earlier: dict[int, dict[str, FoundPrice]],
    usd_assets: Callable[[Event], frozenset[str]],
    now: EpochMicros,
    report: FillReport,
) -> None:
    """Every record with a new price: its legs rebuilt from the prices its gaps took (kept or
    new), with the new fills; an earlier fill no gap takes any more (the file gave the other asset
    of a trade) is dropped."""
    by_event: dict[int, list[_Gap]] = {}
    for gap in gaps:
        by_event.setdefault(gap.event_id, []).append(gap)
    refilled = []
    for event_id, own in by_event.items():
        if not any(gap.new for gap in own):
            continue
        event, before = own[0].event, earlier.get(event_id, {})
        prices = {}
        fills = []
        for gap in own:
            if gap.chosen is None:
                continue
            asset, found = gap.chosen
            prices[asset] = found.price
            if gap.new:
                fills.append(Fill(event_id, asset, found, now))
                report.filled[(found.source, found.interval)] += 1
                report.replaced += any(a in before for a in gap.need.assets)
        legs = valued_legs(event, event_id, prices, usd_assets(event))
        dropped = tuple(sorted(set(before) - set(prices)))
        refilled.append(Refilled(event_id, legs, fills, dropped))
        left = [leg.flag for leg in legs if leg.flag]
        if left and all(gap.chosen for gap in own):  # every price found, and still a leg unvalued: say so
            own[0].chosen, own[0].why = None, f"still flagged with every price found: {left[0]}"
    if refilled:
        store.save_refilled(refilled)
