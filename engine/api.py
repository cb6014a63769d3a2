"""The engine facade: what the CLI, the TUI, the monitor and scripts call."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from engine.core.collector import paused_gc
from engine.core.dates import TaxCalendar, load_zone
from engine.core.errors import ConfigError
from engine.core.units import Amount, DayOrdinal, EpochMicros
from engine.ledger.decided import Decided, Effects, apply_decisions
from engine.ledger.decisions import CLASSIFY, Decision, active_by_subject
from engine.ledger.events import USD
from engine.store.store import ImportSummary, Store, keys_of

# Start-up: what only some calls need is imported where it is used. The importers (about 0.1 s)
# stay out of a report; the matcher and gains (lots, gains) out of an import; the 2025 transition
# (transition, allocation_record) out of both unless lots.basis_scope asks for it.
if TYPE_CHECKING:
    from engine.config.load import Config
    from engine.imports.importer import FileReport
    from engine.ledger import transition
    from engine.ledger.gains import LotRow
    from engine.ledger.records import Excluded, LotResult, OpenLot, RealizedRow

# lots.basis_scope's value for the 2025 transition (engine.ledger.transition.SCOPE, which a test
# holds equal): compared here without importing the transition's modules
TRANSITION_SCOPE = "universal_until_2025"


def _calendar(config: Config) -> TaxCalendar:
    try:
        return TaxCalendar(load_zone(config.tax.timezone))
    except ValueError as exc:
        raise ConfigError(f"tax.timezone: {exc}") from None


def batch_source(report: FileReport) -> str:
    """A file's batch as the store names it: `FORMAT:FILE NAME` (what cross-source dedupe reads
    the format from)."""
    name = Path(report.label).name
    return f"csv:{name}" if report.format.key == "harvest" else f"{report.format.key}:{name}"


def system_clock() -> EpochMicros:
    """Now, in epoch microseconds."""
    return EpochMicros(time.time_ns() // 1000)


class Engine:
    """Owns one store and one config; computes lots and gains on demand and caches them per
    method until the store changes."""

    def __init__(self, config: Config, store: Store, clock: Callable[[], EpochMicros] = system_clock) -> None:
        self.config = config
        self.store = store
        self.clock = clock
        self.calendar = _calendar(config)
        self.usd_assets = frozenset({USD})
        self._lots: dict[str, LotResult] = {}

    def set_config(self, config: Config) -> None:
        """Run with another config (the app's tax profile): the calendar follows the time zone,
        and lots computed under other lot settings or another zone are dropped."""
        calendar = self.calendar if config.tax.timezone == self.config.tax.timezone else _calendar(config)
        relot = calendar is not self.calendar or config.lots != self.config.lots
        self.config, self.calendar = config, calendar
        if relot:
            self.invalidate()

    # -- time -----------------------------------------------------------------------------

    def today(self) -> DayOrdinal:
        """Today's date ordinal in the tax time zone."""
        return self.calendar.day(self.clock())

    def tax_year(self) -> int:
        return self.config.tax.year or date.fromordinal(self.today()).year

    # -- slow path ------------------------------------------------------------------------

    def import_csv(self, path: Path, account: str | None = None) -> ImportSummary:
        from engine.imports.generic_csv import read_csv  # the importers load for an import only

        events = read_csv(path, account, self.clock())
        summary = self.store.import_events(keys_of(events), f"csv:{path.name}", self.usd_assets)
        self.invalidate()
        return summary

    def store_import(self, report: FileReport) -> ImportSummary:
        """A file read by engine.imports.importer into the store, as one batch (known records
        skipped)."""
        if report.frame is not None:  # read in columns (a large file): written from them
            summary = self.store.import_frame(report.frame, batch_source(report), self.usd_assets)
        else:
            summary = self.store.import_events(keys_of(report.events), batch_source(report), self.usd_assets)
        self.invalidate()
        return summary

    def invalidate(self) -> None:
        """Forget the matches. They are let go of a piece at a time (engine.core.release): a
        million lots freed in one go held the GIL for a second or two of the app's reload."""
        from engine.core.release import release

        dropped: list[object] = list(self._lots.values())
        self._lots.clear()
        release(dropped)

    def decided(self) -> tuple[Decided, list[Decision]]:
        """The ledger as the user's decisions make it (engine.ledger.decided, applied in memory:
        an undo restores what the rules alone give), and the decisions in force — what every
        matching of the lots starts from (lots, the transition's runs, sync's balance check)."""
        ledger, decisions, records = self.store.decided_ledger()
        if not decisions:
            return Decided(ledger, Effects(), []), decisions
        return apply_decisions(ledger, decisions, records), decisions

    def lots(self, method: str | None = None) -> LotResult:
        chosen = method or self.config.lots.method
        cached = self._lots.get(chosen)
        if cached is None:
            from engine.core.release import release
            from engine.ledger.lots import match_lots

            scope = self.config.lots.basis_scope
            with paused_gc():
                decided, decisions = self.decided()
                if scope == TRANSITION_SCOPE:
                    cached = self._lots[chosen] = self.transition_run(chosen, decided).result
                else:
                    cached = self._lots[chosen] = match_lots(
                        decided.ledger,
                        chosen,
                        scope == "universal",
                        self.calendar.day_function(),
                        decided.effects,
                    )
            classified = active_by_subject(decisions, CLASSIFY)
            cached.warnings.extend(decided.notes)
            cached.warnings.extend(
                f"{row.ref}: unclassified import row ({row.event.note or ''}, {row.event.account} "
                f"{row.event.asset}) left out until it is classified"
                for row in self.store.unclassified_records()
                if row.key not in classified
            )
            # the ledger let go of a piece at a time (engine.core.release): freed on return, its
            # million legs held the GIL ~0.1-0.16 s — the app's UI thread stood still meanwhile
            dropped: list[object] = [decided]
            del decided
            release(dropped)
        return cached

    def account_lots(self) -> Sequence[OpenLot]:
        """The open lots as each account holds them, the decisions applied as in `lots`: what an
        exchange's balance is checked against. Per account whatever lots.basis_scope says (a
        universal pool moves no lot between accounts); the quantities are the same under any
        method."""
        if self.config.lots.basis_scope != "universal":
            return self.lots().open_lots
        from engine.ledger.lots import match_lots

        decided, _decisions = self.decided()
        with paused_gc():
            return match_lots(
                decided.ledger, self.config.lots.method, False, self.calendar.day_function(), decided.effects
            ).open_lots

    def cutover(self) -> EpochMicros:
        """January 1, 2025, 00:00 in the tax zone: where per-account pools begin (Treas. Reg.
        §1.1012-1(j); "as of January 1, 2025" is the close of the taxpayer's December 31, 2024)."""
        from engine.ledger import transition

        return self.calendar.year_bounds(transition.TRANSITION_YEAR)[0]

    def transition_run(
        self, method: str | None = None, decided: Decided | None = None
    ) -> transition.Transition:
        """The lots under `universal_until_2025`, with each asset's snapshot as of 2025-01-01 and
        the allocation applied (the recorded one, else the actual-units default); the user's
        decisions applied in every run."""
        from engine.ledger import allocation_record, transition

        recorded = allocation_record.recorded(self.store.decisions())
        chosen = decided or self.decided()[0]
        return transition.match_transition(
            chosen.ledger,
            method or self.config.lots.method,
            self.calendar.day_function(),
            self.cutover(),
            recorded,
            chosen.effects,
        )

    def realized(
        self, year: int | None = None, method: str | None = None
    ) -> tuple[Sequence[RealizedRow], list[Excluded]]:
        from engine.ledger.gains import realized_rows

        result = self.lots(method)
        with paused_gc():
            return realized_rows(result, year)

    def open_lots(self, prices: dict[str, Amount] | None = None, method: str | None = None) -> list[LotRow]:
        from engine.ledger.gains import open_lot_rows

        return open_lot_rows(self.lots(method).open_lots, self.today(), prices)
