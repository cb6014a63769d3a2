"""The app's view of the engine: one object the screens ask for snapshots. Plain Python (no
widgets), so it is tested without a terminal; the screens call it from thread workers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from engine.api import Engine
from engine.config.load import Config
from engine.core import fixedpoint as fp
from engine.core.errors import InputError
from engine.core.units import Amount, EpochMicros
from engine.monitor.alerts import Condition, holding_conditions
from engine.planning.candidates import Blocked, Candidate
from engine.planning.checklist import Checklist, Step, reconcile_checklist
from engine.planning.detail import AssetDetail, asset_detail
from engine.planning.holdings import Holding, holdings
from engine.planning.plan_value import PlanValue
from engine.planning.planner import Planner, TaxSummary
from engine.planning.prices import prices_stale
from engine.planning.scan import Tick
from engine.planning.scan_context import ScanContext
from engine.reports.planning_output import rounded_note
from engine.store.changes import LedgerMark
from tui.transition_views import (
    AllocationView,
    ReconcileView,
    allocation_view,
    reconcile_view,
    record_suggestion,
)

if TYPE_CHECKING:
    from engine.ledger.decisions import Decision
    from engine.review.actions import Recorded
    from engine.review.problems import Review

T = TypeVar("T")


@dataclass(frozen=True)
class Snapshot:
    """Everything the main screen shows, computed off the UI thread."""

    now: EpochMicros
    year: int
    filing_status: str
    summary: TaxSummary
    holdings: list[Holding]
    candidates: list[Candidate]  # ranked after the plan's unsold steps (planned ones: their share)
    blocked: list[Blocked]
    steps: list[Step]
    plan: PlanValue  # the active plan's unsold steps, combined at the current prices
    prices_at: EpochMicros | None  # when the prices were observed
    stale: bool
    deadline: datetime
    alerts: list[Condition]  # the alert conditions holding now (the screen decides what to announce)
    zone: tzinfo  # the tax time zone: times on screen are written in it
    problems: int = 0  # open problems (engine.review): the header counts them

    @property
    def harvestable_loss(self) -> Amount:
        return Amount(sum(c.loss for c in self.candidates if c.net_savings > 0))

    @property
    def net_savings(self) -> Amount:
        return Amount(sum(c.net_savings for c in self.candidates if c.net_savings > 0))


@dataclass(frozen=True)
class LotPreview:
    """One open lot under an expanded holding (`x`), at the current price."""

    lot_id: str
    quantity: Amount
    basis: Amount | None  # None: unknown basis
    value: Amount | None  # None: no price
    days_to_long_term: int  # 0: a sale now is long-term

    @property
    def unrealized(self) -> Amount | None:
        if self.value is None or self.basis is None:
            return None
        return Amount(self.value - self.basis)

    @property
    def change(self) -> float | None:
        """Change since basis as a ratio (display only), as Holding.change."""
        unrealized = self.unrealized
        return None if unrealized is None or not self.basis else unrealized / self.basis


@dataclass(frozen=True)
class ReviewView:
    """What the Problems screen shows, computed off the UI thread: the problems list at the
    current prices and every decision (in force and undone, oldest first)."""

    review: Review
    decisions: list[Decision]
    zone: tzinfo
    now: EpochMicros
    context: ScanContext  # the lots it was computed from (the same object until a reload) …
    prices: dict[str, Amount]  # … and the prices: with both unchanged it needs no recompute
    serial: int  # later views have larger ones: a worker's late answer never replaces a newer list


@dataclass(frozen=True)
class Decided:
    """A decision recorded: the engine's one line about it, and the problems list as it now is."""

    message: str
    view: ReviewView


Decide = Callable[[Planner], "Recorded"]
"""A decision as engine.review.actions records it (refused with an InputError: nothing recorded)."""

LotPreviews = dict[tuple[str, str], list[LotPreview]]
"""(account, asset) -> its first open lots (the expanded holdings')."""

Progress = Callable[[str], None]
"""Says what a worker is doing now, in a few words (the status line)."""

SyncRunner = Callable[[Callable[[str], None]], str]
"""Runs the exchange sync on its own store connection (built by the command line, so the app
never imports the exchange layer): reports progress sentences, returns a one-line summary,
raises HarvestError when an account failed."""

CHART_POINTS = 400  # trades drawn in the detail chart: ~4 per braille dot of a wide chart; plotext
# redraws them all on every refresh of the UI thread

SYNC_UNAVAILABLE = (
    "Sync is not available here: no exchange accounts configured (add `accounts:` to the config; "
    "see the README), or this is the demo"
)


class Session:
    def __init__(
        self,
        engine: Engine,
        config_path: Path | None = None,
        export_dir: Path | None = None,
        sync: SyncRunner | None = None,
        use_cache: bool = False,
    ) -> None:
        self.engine = engine
        self.config_path = config_path
        self.export_dir = export_dir
        self.sync_runner = sync
        self.prices: dict[str, Amount] = {}
        self.prices_at: EpochMicros | None = None  # when the prices were observed
        self.lock = threading.RLock()  # the engine and its store connection are shared by the workers
        self.loaded = False
        # run once by the next load, given a progress reporter (the demo's --lots import)
        self.before_load: list[Callable[[Progress], object]] = []
        # use_cache: engine.planning.slow_path_cache, written by keep_slow_path after the first frame
        self.planner = Planner(self.engine, use_cache, save_later=True)
        self.last_tick: tuple[ScanContext, dict[str, Amount], list[Step], Tick] | None = None  # see tick()
        self.store_seen: tuple[int, LedgerMark] | None = None  # (data version, ledger mark) loaded
        self.reviews = 0  # problems lists computed (ReviewView.serial)

    @property
    def config(self) -> Config:
        return self.engine.config

    def load(self, progress: Progress | None = None) -> None:
        """The slow path: lots, the tax baseline and the lot frame (after start, import, sync)."""
        say = progress or (lambda _text: None)
        with self.lock:
            while self.before_load:
                self.before_load.pop(0)(say)
            say("loading: matching lots and computing the tax figures…")
            self.store_seen = (self.engine.store.data_version(), self.engine.store.ledger_mark())
            self.last_tick = None  # its context too: the refresh lets go of the old one in pieces
            self.planner.refresh()
            _ = self.planner.context
            if not self.prices:
                stored, oldest = self.engine.store.last_prices()
                if stored:
                    self.prices, self.prices_at = stored, oldest
            self.loaded = True

    def keep_slow_path(self) -> None:
        """Write what the last load computed to the start-up cache (after its frame is shown:
        ~0.3 s at 100,000 lots that the first frame no longer waits for)."""
        with self.lock:  # taken, then written without the lock: a snapshot never waits for the file
            unsaved = self.planner.take_unsaved()
        if unsaved is not None:
            self.planner.save_pending(unsaved)

    def set_config(self, config: Config) -> None:
        """Run with another config (the tax profile): the engine's calendar, the planner's tax
        parameters and figures are rebuilt from it by the next load."""
        with self.lock:
            self.engine.set_config(config)
            self.planner.refresh()

    def store_change(self) -> str | None:
        """What another process changed since the last look: "ledger" (reload: lots depend on
        it), "other" (recompute: prices, checklist steps) or None. Never waits: a worker holding
        the lock (a load) means the next look will do."""
        if not self.lock.acquire(blocking=False):
            return None
        try:
            if self.store_seen is None:
                return None
            store = self.engine.store
            version = store.data_version()
            if version == self.store_seen[0]:
                return None
            mark = store.ledger_mark()
            changed = "ledger" if mark != self.store_seen[1] else "other"
            self.store_seen = (version, mark)
            return changed
        finally:
            self.lock.release()

    def save_prices(self, prices: dict[str, Amount], at: EpochMicros) -> None:
        with self.lock:
            self.engine.store.save_prices(prices, at, "live")

    def stored_prices(self) -> tuple[dict[str, Amount], EpochMicros | None]:
        with self.lock:
            return self.engine.store.last_prices()

    def lot_preview(self, keys: frozenset[tuple[str, str]], limit: int = 20) -> LotPreviews:
        """The first lots of each expanded holding, at the current prices: read from the open-lots
        frame (no loop over every lot; polars filters without the GIL). Takes the lock: call it
        from a worker."""
        import polars as pl

        if not keys or not self.loaded:
            return {}
        with self.lock:
            frame = self.planner.context.frame
            prices = dict(self.prices)
        preview: LotPreviews = {}
        for account, asset in sorted(keys):
            lots = frame.filter((pl.col("account") == account) & (pl.col("asset") == asset)).head(limit)
            price = prices.get(asset)
            preview[(account, asset)] = [
                LotPreview(lot_id, Amount(quantity), None if basis is None else Amount(basis),
                           None if price is None else Amount(fp.mul(quantity, price)), days)
                for lot_id, quantity, basis, days in lots.select(
                    "lot_id", "quantity", "basis", "days_to_long_term").iter_rows()
            ]  # fmt: skip
        return {key: lots for key, lots in preview.items() if lots}

    @property
    def can_sync(self) -> bool:
        return self.sync_runner is not None

    def sync(self, progress: Callable[[str], None]) -> str:
        """Bring exchange data in (what `harvest sync` does); progress as short sentences. The
        runner works on its own connection without the lock, so the screens never wait on the
        network; then what it stored is reloaded (also after a partial failure)."""
        if self.sync_runner is None:
            raise InputError(SYNC_UNAVAILABLE)
        try:
            return self.sync_runner(progress)
        finally:
            with self.lock:
                self.engine.invalidate()
                reconcile_checklist(self.engine)

    def set_prices(self, prices: dict[str, Amount], at: EpochMicros) -> None:
        with self.lock:
            self.prices = {**self.prices, **prices}
            self.prices_at = at

    def snapshot(self) -> Snapshot:
        """The hot path: candidates, holdings and header figures at the current prices."""
        with self.lock:
            prices = dict(self.prices)
            now = self.engine.clock()
            steps = self.checklist().steps()
            tick = self.tick(prices, steps)
            context = self.planner.context
            candidates, blocked = tick.candidates, tick.blocked
            held = holdings(context.totals, tick.groups, prices)
            stale = prices_stale(self.prices_at, now, self.config.prices.stale_after_seconds)
            zone = self.engine.calendar.zone
            year = self.engine.tax_year()
            deadline = datetime.combine(date(year, 12, 31), time(23, 59, 59), tzinfo=zone)
            alerts = holding_conditions(
                candidates, self.config.alerts, self.engine.today(), year, steps, now, stale
            )
            return Snapshot(
                now=now,
                year=year,
                filing_status=self.config.tax.filing_status,
                summary=self.planner.tax_summary(year),
                holdings=held,
                candidates=candidates,
                blocked=blocked,
                steps=steps,
                plan=tick.plan,
                prices_at=self.prices_at,
                stale=stale,
                deadline=deadline,
                alerts=alerts,
                zone=zone,
                problems=sum(1 for problem in context.problems if problem.ignored is None),
            )

    # -- the problems list ------------------------------------------------------------------

    def review(self, shown: ReviewView | None = None) -> ReviewView | None:
        """The problems list at the current prices, with what each blocks recomputed; None when
        `shown` was computed from the same lots and prices (nothing would change)."""
        from engine.review.problems import find_review

        with self.lock:
            prices = dict(self.prices)
            context = self.planner.context
            if shown is not None and shown.context is context and shown.prices == prices:
                return None
            review = find_review(self.planner, prices or None)  # no prices: blocked dollars unknown
            decisions = self.engine.store.decisions(include_undone=True)
            self.reviews += 1
            zone, now = self.engine.calendar.zone, self.engine.clock()
            return ReviewView(review, decisions, zone, now, context, prices, self.reviews)

    def decide(self, decision: Decide) -> Decided:
        """Record a decision and recompute the list with it (the lots matched again), so no
        figure from before it is shown after it. The store's mark moved by our own hand: noted,
        so the store watch does not reload a second time."""
        with self.lock:
            message = decision(self.planner).message
            store = self.engine.store
            self.store_seen = (store.data_version(), store.ledger_mark())
            view = self.review()
            assert view is not None  # nothing shown to compare with
            return Decided(message, view)

    # -- plan and checklist -----------------------------------------------------------------

    def checklist(self) -> Checklist:
        return Checklist(self.engine.store.conn, self.engine.calendar.zone)

    def toggle(self, candidate: Candidate) -> str:
        """Add a candidate's sale to the saved plan, or take its step out again. A done, skipped
        or cancelled step stays as history: planning the position again adds a new step."""
        with self.lock:
            checklist = self.checklist()
            step = checklist.open_step(candidate.account, candidate.asset, candidate.term)
            if step is not None:
                checklist.remove(step.number)  # refused once acted on: skip or cancel it instead
                return f"Removed step {step.number}: {candidate.asset} on {candidate.account}"
            sale = self.planner.step_for(candidate, self.prices)
            if sale is None:
                return f"{candidate.asset} on {candidate.account}: no lot under water any more"
            wait = self.config.harvest.rebuy_wait_hours
            number = checklist.add(sale, self.engine.tax_year(), self.engine.clock(), wait)
            said = f"Step {number}: sell {fp.fmt(sale.quantity, 0)} {candidate.asset} on {candidate.account}"
            if sale.rounded_to_step is not None:
                said += f" ({rounded_note(sale.rounded_to_step)})"
            return said

    def allocations(self) -> AllocationView:
        """The 2025 allocation per asset: recorded, or harvest's suggestion (tui.transition_views)."""
        with self.lock:
            return allocation_view(self.engine)

    def record_suggestion(self, asset: str) -> str:
        with self.lock:
            return record_suggestion(self.engine, asset)

    def transition(self, action: Callable[[Engine], T]) -> T:
        """`action` on the engine under the lock: the allocation and 1099-DA screens' writes."""
        with self.lock:
            return action(self.engine)

    def reconciliation(self) -> ReconcileView:
        """The tax year's Forms 1099-DA against harvest's sales."""
        with self.lock:
            return reconcile_view(self.engine)

    def identification_notice(self, account: str) -> str | None:
        """Where an identification made today for `account` must go: from 2027, to the broker of
        an exchange account (engine.planning.broker_notice). Config only: no store read."""
        from engine.planning.broker_notice import broker_notice

        broker = True if any(a.name == account for a in self.config.accounts) else None
        return broker_notice(account, self.engine.today(), broker)

    def advance(self, number: int, seen: Step | None = None) -> Step:
        """`seen`: the step as the user confirmed it (compare-and-set: see Checklist.advance)."""
        with self.lock:
            return self.checklist().advance(number, self.engine.clock(), seen=seen)

    def skip(self, number: int, reason: str, seen: Step | None = None, *, cancel: bool = False) -> Step:
        """Skip or cancel a step (the path `harvest checklist skip|cancel` takes)."""
        with self.lock:
            return self.checklist().skip(number, reason, self.engine.clock(), cancel, seen=seen)

    def export_checklist(self, path: Path) -> int:
        from engine.core.files import write_private
        from engine.reports.planning_output import checklist_csv

        with self.lock:
            steps = self.checklist().steps()
            text = checklist_csv(steps, self.engine.clock())
        write_private(path, text)
        return len(steps)

    # -- detail -----------------------------------------------------------------------------

    def tick(self, prices: dict[str, Amount], steps: list[Step]) -> Tick:
        """The scan at these prices after this plan, kept: the detail screen, refreshed after
        every snapshot, reuses it rather than scanning twice."""
        tick = self.planner.tick(prices, plan=steps)  # may rebuild the context (a new day)
        self.last_tick = (self.planner.context, prices, steps, tick)
        return tick

    def _reused_tick(self, prices: dict[str, Amount], steps: list[Step]) -> Tick:
        last = self.last_tick
        same_day = self.planner.context.today == self.engine.today()
        if last is not None and same_day and last[0] is self.planner.context and last[1:3] == (prices, steps):
            return last[3]
        return self.tick(prices, steps)

    def detail(self, account: str, asset: str, lot_rows: int | None = None) -> AssetDetail:
        """One asset at the current prices: its sale alone, and its figures after the plan;
        `lot_rows`: the oldest lots described one by one (None: all)."""
        with self.lock:
            prices = dict(self.prices)
            tick = self._reused_tick(prices, self.checklist().steps())
            return asset_detail(
                self.planner.context,
                prices,
                account,
                asset,
                self.engine.store.trade_prices(asset, CHART_POINTS),
                tick.candidates,
                len(tick.plan.steps),
                lot_rows,
            )


def deadline_text(deadline: datetime, now: datetime) -> str:
    left = deadline - now
    if left <= timedelta(0):
        return "deadline passed"
    days, seconds = left.days, left.seconds
    return (
        f"{days}d {seconds // 3600}h to Dec 31"
        if days
        else f"{seconds // 3600}h {seconds % 3600 // 60}m to Dec 31"
    )
