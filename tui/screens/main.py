"""The main screen: header, Holdings, Candidates and Checklist. Engine calls run in thread
workers and come back as messages, so input never waits on a computation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.notifications import SeverityLevel
from textual.screen import Screen
from textual.widgets import Footer
from textual.worker import Worker, WorkerState

from engine.core.errors import HarvestError
from engine.monitor.alerts import AlertMemory
from tui import format as fmt
from tui.feed import PriceFeed
from tui.keys import DEFAULT_KEYS, Keys, bindings
from tui.messages import DetailReady, Loaded, SnapshotReady, WorkFailed
from tui.screens.detail import DetailScreen
from tui.screens.dialogs import ConfirmScreen, ReasonScreen
from tui.session import SYNC_UNAVAILABLE, Session, Snapshot
from tui.widgets import empty_states
from tui.widgets.header_bar import HeaderBar
from tui.widgets.pane_tabs import PaneTabs
from tui.widgets.panes import CandidatesPane, ChecklistPane, HoldingsPane, Pane, step_by_number

ALERT_LOOKS: dict[str, tuple[str, SeverityLevel]] = {  # alert kind: toast title and severity
    "total_savings": ("Harvest alert", "information"),
    "asset_savings": ("Harvest alert", "information"),
    "long_term_soon": ("Long-term soon", "warning"),
    "deadline": ("Dec 31 deadline", "warning"),
    "rebuy_due": ("Rebuy due", "warning"),
}
MAX_TOAST_LINES = 5
NARROW_WIDTH = 100  # below this (or a short terminal) one pane shows at a time
NARROW_HEIGHT = 30
WIDE_WIDTH = 170  # from here holdings and candidates sit side by side


def wide_split(total: int, holdings: int, candidates: int, holdings_first: bool) -> int:
    """Side by side, the holdings pane's width: what its columns need when both panes' needs
    fit; else the focused pane (candidates unless it is holdings) gets what it needs and the
    other the rest — neither less than a third."""
    least = total // 3
    wanted = holdings if holdings + candidates <= total or holdings_first else total - candidates
    return max(least, min(wanted, total - least))


class MainScreen(Screen[None]):
    BINDINGS = bindings("main")

    def __init__(self, session: Session, feed: PriceFeed, keys: Keys = DEFAULT_KEYS) -> None:
        super().__init__()
        self.session = session
        self.feed = feed
        self.keys = keys
        self.snapshot: Snapshot | None = None
        self.active = 1  # candidates first: it is what the user came for
        self.alert_memory = AlertMemory()
        self.syncing = False

    def compose(self) -> ComposeResult:
        yield HeaderBar(" harvest · loading…", id="header")
        yield PaneTabs(id="pane-tabs")
        with Horizontal(id="top"):
            yield HoldingsPane()
            yield CandidatesPane()
        yield ChecklistPane()
        yield Footer()

    @property
    def panes(self) -> list[Pane[Any]]:
        return [self.query_one(HoldingsPane), self.query_one(CandidatesPane), self.query_one(ChecklistPane)]

    def on_mount(self) -> None:
        self.show_active()
        self.load()
        self.set_interval(self.feed.interval, self.poll_prices)

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW_WIDTH or self.size.height < NARROW_HEIGHT, "-narrow")
        self.set_class(self.size.width >= WIDE_WIDTH, "-wide")
        self.fit_wide()

    def fit_wide(self) -> None:
        """Side by side (-wide), holdings get the width their columns need (not a fixed share
        that cuts the last ones off) and candidates the rest."""
        holdings = self.query_one(HoldingsPane)
        if not self.has_class("-wide"):
            holdings.styles.width = None  # back to the stylesheet's
            return
        needs = holdings.needed_width(), self.query_one(CandidatesPane).needed_width()
        holdings.styles.width = wide_split(self.size.width, *needs, holdings_first=self.active == 0)

    # -- workers ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load(self) -> None:
        self.session.load()
        self.post_message(Loaded())

    @work(thread=True, exclusive=True, group="recompute", exit_on_error=False)
    def recompute(self) -> None:

        self.post_message(SnapshotReady(self.session.snapshot()))

    @work(thread=True, exclusive=True, group="prices", exit_on_error=False)
    def poll_prices(self) -> None:
        update = self.feed.poll()
        if update is not None:
            self.session.set_prices(*update)
        if self.session.loaded:
            self.recompute()

    @work(thread=True, group="actions", exit_on_error=False)
    def run_engine_call(self, label: str, action: Callable[[], object]) -> None:
        """Run an engine call; say what happened; recompute."""
        message = action()
        if message:
            self.app.call_from_thread(self.notify, f"{label}: {message}" if label else str(message))
        self.recompute()

    @work(thread=True, exclusive=True, group="detail", exit_on_error=False)
    def fetch_detail(self, account: str, asset: str) -> None:
        self.post_message(DetailReady(self.session.detail(account, asset)))

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.post_message(WorkFailed(_explain(event.worker.error)))

    # -- messages ---------------------------------------------------------------------------

    def on_loaded(self) -> None:
        self.recompute()

    def on_snapshot_ready(self, message: SnapshotReady) -> None:

        snapshot = self.snapshot = message.snapshot
        self.query_one(HeaderBar).show(snapshot, self.feed.label)
        self.explain_empty(snapshot)
        holdings = self.query_one(HoldingsPane)
        holdings.show(snapshot, self.session.lot_preview(holdings.expanded))
        self.query_one(CandidatesPane).show(snapshot)
        self.query_one(ChecklistPane).show(snapshot)
        self.fit_wide()
        self.raise_alerts(snapshot)

    def explain_empty(self, snapshot: Snapshot) -> None:
        """What each pane says when it has nothing to show."""
        min_loss = self.session.config.harvest.min_loss
        self.query_one(HoldingsPane).why_empty = empty_states.holdings_note(self.keys)
        self.query_one(CandidatesPane).why_empty = empty_states.candidates_note(snapshot, min_loss, self.keys)
        self.query_one(ChecklistPane).why_empty = empty_states.checklist_note(self.keys)

    def on_work_failed(self, message: WorkFailed) -> None:
        self.notify(message.text, severity="error", timeout=8, markup=False)

    def on_detail_ready(self, message: DetailReady) -> None:
        self.app.push_screen(DetailScreen(message.detail))

    def on_pane_filter_changed(self) -> None:
        if self.snapshot is not None:
            self.post_message(SnapshotReady(self.snapshot))

    def on_holdings_pane_expand_toggled(self) -> None:
        self.on_pane_filter_changed()

    def on_holdings_pane_details_wanted(self, message: HoldingsPane.DetailsWanted) -> None:
        self.fetch_detail(message.account, message.asset)

    def on_candidates_pane_toggle_plan(self, message: CandidatesPane.TogglePlan) -> None:
        candidate = message.candidate
        self.run_engine_call("", lambda: self.session.toggle(candidate))

    def on_checklist_pane_step_action(self, message: ChecklistPane.StepAction) -> None:
        steps = self.snapshot.steps if self.snapshot else []
        step = step_by_number(steps, message.number)
        if step is None:
            return
        if message.action == "advance":
            question = f"Advance step {step.number} ({step.asset} on {step.account}) from {step.state}?"
            if step.state == "planned":
                question = (f"Record the identification of lots {step.lots} for selling {fmt.exact_qty(step.quantity)} "
                            f"{step.asset} on {step.account}, now, before the sale?")  # fmt: skip

            def advance(confirmed: bool | None) -> None:
                if confirmed:
                    self.run_engine_call(
                        f"step {step.number}", lambda: self.session.advance(step.number, seen=step).state
                    )

            self.app.push_screen(ConfirmScreen(question, self.keys), advance)
        else:

            def skip(reason: str | None) -> None:
                if reason:
                    self.run_engine_call(
                        f"step {step.number}", lambda: self.session.skip(step.number, reason, seen=step).state
                    )

            self.app.push_screen(
                ReasonScreen(f"Skip step {step.number} ({step.asset} on {step.account}): why?", self.keys),
                skip,
            )

    # -- alerts -----------------------------------------------------------------------------

    def raise_alerts(self, snapshot: Snapshot) -> None:
        """Announce the conditions the monitor would (engine.monitor.alerts): once per crossing,
        quiet for the cooldown, again only when worse by the re-arm fraction. The memory is
        this screen's own, so the monitor's (in the store) is left alone. Alerts raised
        together share one toast per title, so a launch does not bury the screen in toasts."""
        toasts: dict[str, tuple[list[str], SeverityLevel]] = {}
        for alert in self.alert_memory.decide(snapshot.alerts, self.session.config.alerts, snapshot.now):
            title, severity = ALERT_LOOKS.get(alert.kind, ("Harvest alert", "information"))
            toasts.setdefault(title, ([], severity))[0].append(alert.message)  # one severity per title
        for title, (lines, severity) in toasts.items():
            if len(lines) > MAX_TOAST_LINES:
                lines[MAX_TOAST_LINES - 1 :] = [f"… and {len(lines) - MAX_TOAST_LINES + 1} more"]
            self.notify("\n".join(lines), title=title, severity=severity, markup=False)

    # -- panes and actions ------------------------------------------------------------------

    def show_active(self) -> None:
        for index, pane in enumerate(self.panes):
            pane.set_class(index == self.active, "-active")
        self.set_class(self.active == 2, "-checklist-active")
        self.query_one(PaneTabs).show(self.active, self.keys)
        self.fit_wide()
        self.panes[self.active].table.focus()

    def action_next_pane(self) -> None:
        self.active = (self.active + 1) % 3
        self.show_active()

    def action_previous_pane(self) -> None:
        self.active = (self.active - 1) % 3
        self.show_active()

    def on_descendant_focus(self) -> None:
        for index, pane in enumerate(self.panes):
            if pane.has_focus_within and index != self.active:
                self.active = index
                for other, each in enumerate(self.panes):
                    each.set_class(other == index, "-active")
                self.set_class(index == 2, "-checklist-active")
                self.query_one(PaneTabs).show(index, self.keys)
                self.fit_wide()

    def reload(self) -> None:
        self.load()

    def export(self) -> None:
        from engine.config.load import data_dir

        stamp = datetime.now(tz=UTC).strftime("%Y%m%d-%H%M%S")
        path = self.session.export_dir or data_dir()
        target = Path(path) / f"harvest-checklist-{stamp}.csv"

        def confirmed(answer: bool | None) -> None:
            if answer:
                self.run_engine_call(
                    "", lambda: f"wrote {self.session.export_checklist(target)} step(s) to {target}"
                )

        self.app.push_screen(ConfirmScreen(f"Export the checklist to {target}?", self.keys), confirmed)

    def sync(self) -> None:
        if not self.session.can_sync:
            self.notify(SYNC_UNAVAILABLE, severity="warning", timeout=8)
            return
        if self.syncing:
            self.notify("A sync is already running", timeout=3)
            return
        self.syncing = True
        self.run_sync()

    @work(thread=True, group="sync", exit_on_error=False)
    def run_sync(self) -> None:
        """The runner waits on the network in this thread, holding no lock: keys, price ticks
        and recomputes go on meanwhile. Progress and the summary come back as notifications."""
        try:
            summary = self.session.sync(lambda text: self.app.call_from_thread(self.notify, text, timeout=3))
            self.app.call_from_thread(self.notify, f"sync: {summary}")
        finally:
            self.syncing = False  # one bool, read on the UI thread only
            self.load()


def _explain(error: BaseException) -> str:
    if isinstance(error, HarvestError):
        return str(error)
    return f"unexpected {type(error).__name__}: {error}"
