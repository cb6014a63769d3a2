"""Tax summary, harvest candidates and plans for one engine: what `harvest tax`, `scan` and
`plan` print and what the TUI shows. Slow-path state (lots frame, realized totals, the tax
baseline) is built once per store change; `tick(prices)` is the per-tick hot path (planning.scan)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cached_property

import polars as pl

from engine.api import Engine
from engine.core import fixedpoint as fp
from engine.core.release import release
from engine.core.units import ZERO, Amount, DayOrdinal
from engine.ledger.gains import totals_by_year
from engine.ledger.records import LONG, LotResult
from engine.planning import slow_path_cache
from engine.planning.alias_problems import alias_problems
from engine.planning.candidates import Blocked, Candidate
from engine.planning.data_problems import find_problems
from engine.planning.deferred_lots import deferred_lots, kept_out_of_collections
from engine.planning.migration_problems import migration_problems
from engine.planning.open_lot_frame import open_lots_frame
from engine.planning.plan_builder import build_plan
from engine.planning.plans import Plan, PlanStep
from engine.planning.positions import position_totals, with_terms
from engine.planning.quality_gate import quality_problems
from engine.planning.scan import Tick, scan
from engine.planning.scan_context import ScanContext
from engine.planning.slow_path_cache import SlowPathInputs
from engine.store.checklist_tables import Step
from engine.tax.model import TaxProfile, TaxResult, compute_tax
from engine.tax.params import TaxParams, load_tax_params
from engine.tax.profile import is_collectible, tax_profile


@dataclass(frozen=True)
class TaxSummary:
    result: TaxResult
    carryforward_in: tuple[Decimal, Decimal]  # used: from the config (last year's return)
    computed_carryforward_in: tuple[Decimal, Decimal] | None  # from the history, when it covers earlier years


class Planner:
    def __init__(self, engine: Engine, use_cache: bool = False, save_later: bool = False) -> None:
        self.engine = engine
        self.use_cache = use_cache  # keep the slow path's results beside the store (slow_path_cache)
        # the app writes the cache once its first frame is up (save_pending), not before it
        self.save_later = save_later
        self._unsaved: tuple[str, SlowPathInputs] | None = None

    @cached_property
    def params(self) -> TaxParams:
        from pathlib import Path

        tax = self.engine.config.tax
        params = load_tax_params(Path(tax.params_file).expanduser() if tax.params_file else None)
        return params.extended_to(self.engine.tax_year()) if tax.assume_latest_params else params

    def realized_by_year(self) -> dict[int, tuple[Amount, Amount]]:
        """Realized ST/LT gain per tax year (slow path: cached until the next refresh)."""
        cached = self.__dict__.get("_realized_by_year")
        if cached is None:
            rows, _ = self.engine.realized()
            cached = self.__dict__["_realized_by_year"] = {
                year: (per_term["short"].gain, per_term[LONG].gain)
                for year, per_term in totals_by_year(rows).items()
            }
        return cached

    def collectibles_by_year(self) -> dict[int, Decimal]:
        """Realized long-term result of collectibles (NFTs unless marked otherwise) per tax year:
        the 28%-rate part of the long-term total (cached with realized_by_year)."""
        cached = self.__dict__.get("_collectibles_by_year")
        if cached is None:
            rows, _ = self.engine.realized()
            tax = self.engine.config.tax
            sums: dict[int, int] = {}
            for row in rows:
                if row.term == LONG and is_collectible(row.asset, tax):
                    sums[row.year] = sums.get(row.year, 0) + row.gain
            cached = self.__dict__["_collectibles_by_year"] = {
                year: fp.to_decimal(Amount(gain)) for year, gain in sums.items()
            }
        return cached

    def profile(self, year: int, carryforward: tuple[Decimal, Decimal] | None = None) -> TaxProfile:
        """The config's tax profile for `year`, with that year's realized collectibles."""
        collectibles = self.collectibles_by_year().get(year, Decimal(0))
        return tax_profile(self.engine.config, year, carryforward, collectibles)

    def computed_carryforward(self, year: int) -> tuple[Decimal, Decimal] | None:
        """Carryforward into `year` from this store's own history (years before it), or None
        when the history starts in `year` or later."""
        by_year = self.realized_by_year()
        earlier = sorted(y for y in by_year if y < year)
        if not earlier:
            return None
        carry = (Decimal(0), Decimal(0))
        for y in range(earlier[0], year):
            st, lt = by_year.get(y, (0, 0))
            # brackets do not change a carryforward (netting and the statutory limit do), so a
            # year without bracket data borrows the nearest year's
            params_year = y if y in self.params.years else min(self.params.years, key=lambda k: abs(k - y))
            profile = replace(self.profile(y, carry), year=params_year)
            result = compute_tax(profile, fp.to_decimal(st), fp.to_decimal(lt), self.params)
            carry = (result.carryforward_out_short_term, result.carryforward_out_long_term)
        return carry

    def tax_summary(self, year: int | None = None) -> TaxSummary:
        """The year's tax from realized results and the profile (cached per year until the next
        refresh: it does not move with prices, so the per-tick path must not redo it)."""
        year = year or self.engine.tax_year()
        summaries: dict[int, TaxSummary] = self.__dict__.setdefault("_summaries", {})
        if year not in summaries:
            summaries[year] = self._tax_summary(year)
        return summaries[year]

    def _tax_summary(self, year: int) -> TaxSummary:
        self.params.for_year(year)  # a clear error naming the year when there is no data
        st, lt = self.realized_by_year().get(year, (0, 0))
        profile = self.profile(year)
        result = compute_tax(profile, fp.to_decimal(st), fp.to_decimal(lt), self.params)
        return TaxSummary(
            result,
            (profile.carryforward_short_term, profile.carryforward_long_term),
            self.computed_carryforward(year),
        )

    def slow_inputs(self) -> SlowPathInputs:
        """The date-independent part of the slow path: from the cache when its key matches
        (no lot matching at all), else computed — and then kept for the next start."""
        engine, store = self.engine, self.engine.store
        key = slow_path_cache.cache_key(store, engine.config, engine.today()) if self.use_cache else ""
        cached = slow_path_cache.load(store, key) if self.use_cache else None
        if cached is not None:
            self.__dict__["_realized_by_year"] = cached.realized_by_year
            self.__dict__["_collectibles_by_year"] = cached.collectibles_by_year
            return cached
        result = engine.lots()
        decisions = store.decisions()
        problems = find_problems(
            result, store.natural_keys, decisions, store.mismatches(), store.unclassified_records()
        )
        problems += alias_problems(store, problems, decisions)  # a code that may be another asset
        problems += migration_problems(store, problems, decisions)  # a migration booked as a trade
        frame = open_lots_frame(result.open_lots)
        # each asset's latest acquisition: the open lots' from the frame (a million lots), in
        # order of first appearance as a loop over them gave it, then the realized slices'
        latest = frame.group_by("asset", maintain_order=True).agg(pl.col("acquired_day").max())
        recent: dict[str, DayOrdinal] = {asset: DayOrdinal(day) for asset, day in latest.iter_rows()}
        for row in result.realized:
            recent[row.asset] = max(recent.get(row.asset, row.acquired_day), row.acquired_day)
        inputs = SlowPathInputs(
            frame,
            self.realized_by_year(),
            self.collectibles_by_year(),
            problems,
            recent,
        )
        if self.use_cache:
            self._unsaved = (key, inputs)
            if not self.save_later:
                self.save_pending()
        return inputs

    def take_unsaved(self) -> tuple[str, SlowPathInputs] | None:
        """The slow path's results computed last and not yet written to the cache (then none)."""
        unsaved, self._unsaved = self._unsaved, None
        return unsaved

    def save_pending(self, unsaved: tuple[str, SlowPathInputs] | None = None) -> None:
        """Write `unsaved` (by default the slow path's results computed last and not yet
        written) to the cache."""
        unsaved = unsaved or self.take_unsaved()
        if unsaved is not None:
            slow_path_cache.save(self.engine.store, *unsaved)

    @cached_property
    def context(self) -> ScanContext:
        engine = self.engine
        year = engine.tax_year()
        with kept_out_of_collections():
            inputs = self.slow_inputs()
        summary = self.tax_summary(year)
        st, lt = self.realized_by_year().get(year, (ZERO, ZERO))
        frame = inputs.frame
        context = ScanContext(
            config=engine.config,
            lots=LotResult(),  # replaced just below: matched now or on first use
            frame=with_terms(frame, engine.today()),
            totals=position_totals(frame),
            today=engine.today(),
            now=engine.clock(),
            year_end=engine.calendar.year_bounds(year)[1],
            tax_result=summary.result,
            realized=(st, lt),
            profile=self.profile(year),
            params=self.params,
            quality=quality_problems(inputs.problems),
            problems=inputs.problems,
            recent_buys=inputs.recent_buys,
            amount_steps=engine.store.amount_steps(),
        )
        deferred = deferred_lots(context, engine.lots)
        # sorted here, on the slow path, not on the first tick; and frozen like the lots: its list
        # of a million unit costs, young, made every young and middle collection after a load
        # walk it (~20 ms each at 1,000,000 lots, on whichever thread allocated: the UI's)
        with kept_out_of_collections():
            deferred.cost_index  # noqa: B018
        return deferred

    def refresh(self) -> None:
        """Forget slow-path state (after an import, a sync or a config change), let go of a
        piece at a time (engine.core.release: the context's lists of a million lots)."""
        names = ("context", "_realized_by_year", "_collectibles_by_year", "_summaries", "params")
        dropped: list[object] = [self.__dict__.pop(name, None) for name in names]
        self.engine.invalidate()
        release(dropped)

    def scan(
        self, prices: dict[str, Amount], with_lot_ids: bool = False
    ) -> tuple[list[Candidate], list[Blocked]]:
        tick = self.tick(prices, with_lot_ids)
        return tick.candidates, tick.blocked

    def tick(self, prices: dict[str, Amount], with_lot_ids: bool = False, plan: Sequence[Step] = ()) -> Tick:
        """Candidates, blocked positions and price groups at these prices (the hot path); with
        the active plan's steps (`plan`), its value at these prices and the rest ranked after it."""
        if self.context.today != self.engine.today():  # a new day: terms and deadlines moved
            self.__dict__.pop("context", None)
        return scan(self.context, prices, with_lot_ids, plan)

    def plan(self, prices: dict[str, Amount], goal: str | None = None, target: Amount | None = None) -> Plan:
        harvest = self.engine.config.harvest
        goal = goal or harvest.goal
        if goal == "target" and target is None:
            if harvest.target is None:
                from engine.core.errors import InputError

                raise InputError("goal target needs an amount: --target AMOUNT or harvest.target")
            target = fp.from_decimal(harvest.target)
        candidates, _blocked = self.scan(prices)
        return build_plan(self.context, candidates, prices, goal, target)

    def step_for(self, candidate: Candidate, prices: dict[str, Amount]) -> PlanStep | None:
        """The sale (and rebuy) that harvests one candidate on its own."""
        plan = build_plan(self.context, [candidate], prices, "target", Amount(-candidate.loss))
        return plan.steps[0] if plan.steps else None
