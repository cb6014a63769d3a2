"""The app's view of the engine: one object the screens ask for snapshots. Plain Python (no
widgets), so it is tested without a terminal; the screens call it from thread workers."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path

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
from engine.planning.planner import Planner, TaxSummary
from engine.planning.prices import prices_stale


@dataclass(frozen=True)
class Snapshot:
    """Everything the main screen shows, computed off the UI thread."""

    now: EpochMicros
    year: int
    filing_status: str
    summary: TaxSummary
    holdings: list[Holding]
    candidates: list[Candidate]
    blocked: list[Blocked]
    steps: list[Step]
    prices_at: EpochMicros | None  # when the prices were observed
    stale: bool
    deadline: datetime
    alerts: list[Condition]  # the alert conditions holding now (the screen decides what to announce)

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


SyncRunner = Callable[[Callable[[str], None]], str]
"""Runs the exchange sync on its own store connection (built by the command line, so the app
never imports the exchange layer): reports progress sentences, returns a one-line summary,
raises HarvestError when an account failed."""

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
    ) -> None:
        self.engine = engine
        self.config_path = config_path
        self.export_dir = export_dir
        self.sync_runner = sync
        self.prices: dict[str, Amount] = {}
        self.prices_at: EpochMicros | None = None  # when the prices were observed
        self.lock = threading.RLock()  # the engine and its store connection are shared by the workers
        self.loaded = False
        self.before_load: list[Callable[[], object]] = []  # run once by the next load
        self.planner = Planner(self.engine)

    @property
    def config(self) -> Config:
        return self.engine.config

    def load(self) -> None:
        """The slow path: lots, the tax baseline and the lot frame (after start, import, sync)."""
        with self.lock:
            while self.before_load:
                self.before_load.pop(0)()
            self.planner.refresh()
            _ = self.planner.context
            if not self.prices:
                stored, oldest = self.engine.store.last_prices()
                if stored:
                    self.prices, self.prices_at = stored, oldest
            self.loaded = True

    def save_prices(self, prices: dict[str, Amount], at: EpochMicros) -> None:
        with self.lock:
            self.engine.store.save_prices(prices, at, "live")

    def stored_prices(self) -> tuple[dict[str, Amount], EpochMicros | None]:
        with self.lock:
            return self.engine.store.last_prices()

    def lot_preview(
        self, keys: set[tuple[str, str]], limit: int = 20
    ) -> dict[tuple[str, str], list[LotPreview]]:
        """The first lots of each expanded holding, at the current prices."""
        from engine.core.dates import days_to_long_term

        if not keys or not self.loaded:
            return {}
        with self.lock:
            today = self.planner.context.today
            preview: dict[tuple[str, str], list[LotPreview]] = {}
            for lot in self.planner.context.lots.open_lots:
                key = (lot.account, lot.asset)
                if key in keys and len(preview.setdefault(key, [])) < limit:
                    price = self.prices.get(lot.asset)
                    value = None if price is None else Amount(fp.mul(lot.quantity, price))
                    preview[key].append(
                        LotPreview(lot.lot_id, lot.quantity, lot.basis, value,
                                   days_to_long_term(lot.acquired_day, today))
                    )  # fmt: skip
            return preview

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
            tick = self.planner.tick(prices)
            context = self.planner.context
            candidates, blocked = tick.candidates, tick.blocked
            held = holdings(context.totals, tick.groups, prices)
            steps = Checklist(self.engine.store.conn).steps()
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
                prices_at=self.prices_at,
                stale=stale,
                deadline=deadline,
                alerts=alerts,
            )

    # -- plan and checklist -----------------------------------------------------------------

    def toggle(self, candidate: Candidate) -> str:
        """Add a candidate's sale to the saved plan, or take its step out again."""
        with self.lock:
            checklist = Checklist(self.engine.store.conn)
            for step in checklist.steps():
                if (step.account, step.asset, step.term) == (
                    candidate.account,
                    candidate.asset,
                    candidate.term,
                ):
                    checklist.remove(step.number)
                    return f"Removed step {step.number}: {candidate.asset} on {candidate.account}"
            sale = self.planner.step_for(candidate, self.prices)
            if sale is None:
                return f"{candidate.asset} on {candidate.account}: no lot under water any more"
            wait = self.config.harvest.rebuy_wait_hours
            number = checklist.add(sale, self.engine.tax_year(), self.engine.clock(), wait)
            return f"Step {number}: sell {fp.fmt(sale.quantity, 0)} {candidate.asset} on {candidate.account}"

    def advance(self, number: int, seen: Step | None = None) -> Step:
        """`seen`: the step as the user confirmed it (compare-and-set: see Checklist.advance)."""
        with self.lock:
            return Checklist(self.engine.store.conn).advance(number, self.engine.clock(), seen=seen)

    def skip(self, number: int, reason: str, seen: Step | None = None) -> Step:
        with self.lock:
            return Checklist(self.engine.store.conn).skip(number, reason, self.engine.clock(), seen=seen)

    def export_checklist(self, path: Path) -> int:
        from engine.core.files import write_private
        from engine.reports.planning_output import checklist_csv

        with self.lock:
            steps = Checklist(self.engine.store.conn).steps()
            text = checklist_csv(steps, self.engine.clock())
        write_private(path, text)
        return len(steps)

    # -- detail -----------------------------------------------------------------------------

    def detail(self, account: str, asset: str) -> AssetDetail:
        with self.lock:
            return asset_detail(
                self.planner.context, self.prices, account, asset, self.engine.store.trade_prices(asset)
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
