"""The main screen: header, Holdings, Candidates and Checklist. Engine calls run in thread
workers and come back as messages, so input never waits on a computation."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path
from typing import Any

from textual import work
from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.notifications import SeverityLevel
from textual.reactive import Reactive
from textual.widget import Widget
from textual.worker import Worker, WorkerState

from engine.core.errors import InputError
from engine.monitor.alerts import AlertMemory
from engine.planning.checklist import next_state, skip_target, state_words
from tui.feed import PriceFeed
from tui.format import explain
from tui.keys import DEFAULT_KEYS, Keys, bindings
from tui.looks import looks_of
from tui.messages import DetailReady, Loaded, SnapshotReady, WorkFailed
from tui.screens.detail import MAX_TABLE_ROWS, DetailScreen, LotTable, lot_table
from tui.screens.dialogs import ConfirmScreen, ReasonScreen
from tui.screens.first_resume import FirstResumeKeepsStyles
from tui.screens.focus_styles import OwnFocusWithin
from tui.screens.problems import ProblemsScreen
from tui.screens.split_turns import SplitsLongTurns
from tui.session import SYNC_UNAVAILABLE, LotPreviews, Session, Snapshot
from tui.step_words import advance_question, skip_question
from tui.widgets import empty_states
from tui.widgets.footer import FooterSpace, mount_footer_soon
from tui.widgets.header_bar import HeaderBar
from tui.widgets.own_class import set_own_class
from tui.widgets.paint_budget import MeteredPaint
from tui.widgets.pane_tabs import PaneTabs
from tui.widgets.panes import CandidatesPane, ChecklistPane, HoldingsPane, Pane, step_by_number
from tui.widgets.status_line import StatusLine

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


class MainScreen(SplitsLongTurns, OwnFocusWithin, FirstResumeKeepsStyles, MeteredPaint):
    BINDINGS = bindings("main")
    # Textual's Screen.focused repaints the whole screen when it changes (a reactive's default):
    # every focus move painted all three panes, the header and the footer again (~20-30 ms of the
    # UI thread at 100,000 lots) though only the widgets it restyles (the two tables, their
    # panes) look different, and those repaint themselves. The same reactive without the repaint
    # (its watcher, which updates the footer's keys, still runs): tests/tui/test_focus_repaint.py
    focused: Reactive[Widget | None] = Reactive(None, repaint=False)
    # The first focus goes to the active pane's table as the screen composes: Textual's default
    # (the first focusable widget, the holdings) was moved to the candidates at mount, a blur, a
    # focus and two restyles of the panes in the first load's longest turn
    AUTO_FOCUS = "#candidates-table"
    STORE_POLL_SECONDS = 2.0  # how often the store is asked whether another process changed it

    def __init__(self, session: Session, feed: PriceFeed, keys: Keys = DEFAULT_KEYS) -> None:
        super().__init__()
        self.session = session
        self.feed = feed
        self.keys = keys
        self.snapshot: Snapshot | None = None  # the newest: the header shows it at once
        self.shown: Snapshot | None = None  # the one all three panes show
        self.pane_fills: list[tuple[Pane[Any], Callable[[], None]]] = []  # the panes still to fill
        self.active = 1  # candidates first: it is what the user came for
        self.alert_memory = AlertMemory()
        self.syncing = False
        # what the workers read instead of the widgets: swapped whole on the UI thread
        self.expanded: frozenset[tuple[str, str]] = frozenset()
        self.preview: LotPreviews = {}
        self.feed_problem: str | None = None  # why live prices stopped, as last told
        self.unsaid: str | None = None  # progress said before the status line was there
        self.cache_due = False  # a load's results to write to the start-up cache once its frame is whole

    def compose(self) -> ComposeResult:
        yield HeaderBar(" harvest · loading…", id="header")
        yield PaneTabs(id="pane-tabs")
        panes: tuple[Pane[Any], ...] = (HoldingsPane(), CandidatesPane(), ChecklistPane())
        for index, pane in enumerate(panes):  # styled once as they mount, not again at on_mount
            pane.set_class(index == self.active, "-active")
        self.set_class(self.active == 2, "-checklist-active")
        with Horizontal(id="top"):
            yield panes[0]
            yield panes[1]
        yield panes[2]
        yield FooterSpace()
        yield StatusLine(id="status")  # over the footer while work is in progress
        self.load()  # now, not once these widgets have mounted and been styled (~0.1-0.3 s)

    @property
    def panes(self) -> list[Pane[Any]]:
        return [self.query_one(HoldingsPane), self.query_one(CandidatesPane), self.query_one(ChecklistPane)]

    def on_mount(self) -> None:
        self.show_active()
        self.say_unsaid()
        mount_footer_soon(self, self.query_one(StatusLine))
        self.set_interval(self.feed.interval, self.poll_prices)
        self.set_interval(self.STORE_POLL_SECONDS, self.watch_store)

    def on_resize(self) -> None:
        self.set_class(self.size.width < NARROW_WIDTH or self.size.height < NARROW_HEIGHT, "-narrow")
        self.set_class(self.size.width >= WIDE_WIDTH, "-wide")
        self.fit_wide()

    def fit_wide(self) -> None:
        """Side by side (-wide), holdings get the width their columns need (not a fixed share
        that cuts the last ones off) and candidates the rest."""
        holdings = self.query_one(HoldingsPane)
        if not self.has_class("-wide"):
            if holdings.styles.inline.has_rule("width"):  # clearing lays the screen out again, set or not
                holdings.styles.width = None  # back to the stylesheet's
            return
        needs = holdings.needed_width(), self.query_one(CandidatesPane).needed_width()
        holdings.styles.width = wide_split(self.size.width, *needs, holdings_first=self.active == 0)

    # -- workers ----------------------------------------------------------------------------

    @work(thread=True, exclusive=True, group="load", exit_on_error=False)
    def load(self) -> None:
        try:
            self.session.load(self.progress)
        finally:
            self.progress(None)
        self.post_message(Loaded())

    def progress(self, text: str | None) -> None:
        """From a worker: the status line says what is going on (None hides it)."""
        self.app.call_from_thread(self.say, text)

    def say_unsaid(self) -> None:
        """What the load said before the status line was there."""
        if self.unsaid is not None:
            self.say(self.unsaid)

    def say(self, text: str | None) -> None:
        lines = self.query(StatusLine)  # none yet while the screen composes
        self.unsaid = None if lines else text
        for line in lines:
            line.say(text)

    @work(thread=True, exclusive=True, group="recompute", exit_on_error=False)
    def recompute(self) -> None:
        """The snapshot and the expanded holdings' lots, both read here: the UI thread never
        takes the session lock (a load or a sync's reconcile may hold it for seconds)."""
        snapshot = self.session.snapshot()
        self.post_message(SnapshotReady(snapshot, self.session.lot_preview(self.expanded)))

    @work(thread=True, exclusive=True, group="cache", exit_on_error=False)
    def keep_slow_path(self) -> None:
        """The start-up cache, written once the load's first frame is whole: written while the
        panes filled, its 0.1-0.3 s at 100,000 lots held the GIL the fills and paints needed."""
        self.session.keep_slow_path()

    @work(thread=True, exclusive=True, group="prices", exit_on_error=False)
    def poll_prices(self) -> None:
        update = self.feed.poll()
        if update is not None:
            self.session.set_prices(*update)
        problem = self.feed.problem()
        if problem != self.feed_problem:
            self.feed_problem = problem
            self.app.call_from_thread(self.tell_feed_problem, problem)
        if self.session.loaded:
            self.recompute()

    @work(thread=True, exclusive=True, group="store", exit_on_error=False)
    def watch_store(self) -> None:
        """Another harvest (an import, a sync, the monitor) changed the store: reload what the
        lots depend on, or just recompute — no `r` needed. The app's own sync reloads itself."""
        if self.syncing:
            return
        change = self.session.store_change()
        if change == "ledger":
            self.app.call_from_thread(
                self.notify, "The store changed (an import or a sync): reloading", timeout=4
            )
            self.load()
        elif change == "other":
            self.recompute()

    @work(thread=True, group="actions", exit_on_error=False)
    def run_engine_call(self, label: str, action: Callable[[], object]) -> None:
        """Run an engine call; say what happened; recompute."""
        message = action()
        if message:
            self.app.call_from_thread(self.notify, f"{label}: {message}" if label else str(message))
        self.recompute()

    # a description of its own: Textual's default is the repr of every argument, and `shown`
    # holds 2,000 rows of cells (~50 ms of the UI thread at each tick)
    @work(thread=True, exclusive=True, group="detail", description="detail", exit_on_error=False)
    def fetch_detail(
        self, account: str, asset: str, refresh: bool = False, shown: LotTable | None = None
    ) -> None:
        """`shown`: the open detail screen's lot table, for the cells a tick changed."""
        detail = self.session.detail(account, asset, MAX_TABLE_ROWS)
        self.post_message(DetailReady(detail, lot_table(detail, looks_of(self.app), shown), refresh))

    def tell_feed_problem(self, problem: str | None) -> None:
        """Once when live prices stop (and why), once when they are back; the header keeps
        saying it meanwhile."""
        if problem is not None:
            self.notify(f"Live prices: {problem}", severity="warning", timeout=10, markup=False)
        else:
            self.notify("Live prices are back", timeout=4)
        if self.snapshot is not None:
            self.query_one(HeaderBar).show(self.snapshot, self.feed_label)

    @property
    def feed_label(self) -> str:
        return self.feed.label if self.feed_problem is None else f"{self.feed.label}: {self.feed_problem}"

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.post_message(WorkFailed(explain(event.worker.error)))

    # -- messages ---------------------------------------------------------------------------

    def on_loaded(self) -> None:
        self.cache_due = True
        self.recompute()

    def on_snapshot_ready(self, message: SnapshotReady) -> None:
        """The header now, then the panes in two turns (holdings; then candidates with the
        checklist) after the holdings have painted: filling and painting all three in one turn
        held the UI thread 60-130 ms at 100,000 lots. A newer snapshot replaces the panes still
        to fill.
        `shown` is the snapshot all three panes show."""
        snapshot = self.snapshot = message.snapshot
        self.preview = preview = message.preview
        self.query_one(HeaderBar).show(snapshot, self.feed_label)
        self.explain_empty(snapshot)
        holdings, candidates = self.query_one(HoldingsPane), self.query_one(CandidatesPane)
        checklist = self.query_one(ChecklistPane)
        self.pane_fills = [
            (holdings, lambda: holdings.show(snapshot, preview)),
            (candidates, lambda: candidates.show(snapshot)),
            (checklist, lambda: checklist.show(snapshot)),
        ]
        self.fill_next_pane(snapshot)
        self.raise_alerts(snapshot)
        if isinstance(self.app.screen, DetailScreen):  # it follows live prices
            shown = self.app.screen.detail
            self.fetch_detail(shown.account, shown.asset, refresh=True, shown=self.app.screen.lot_table_shown)
        for screen in self.app.screen_stack:  # what problems block moves with the lots and prices
            if isinstance(screen, ProblemsScreen):
                screen.follow()

    def fill_next_pane(self, snapshot: Snapshot) -> None:
        if snapshot is not self.snapshot or not self.pane_fills:
            return  # a newer snapshot took over
        pane, fill = self.pane_fills.pop(0)
        before = pane.table.changes
        fill()
        if isinstance(pane, CandidatesPane) and self.pane_fills:
            # the checklist (the plan's few steps) in the candidates' turn: waiting for their paint
            # first added a frame to every tick
            self.pane_fills.pop(0)[1]()
        if not self.pane_fills:
            self.fit_wide()
            self.shown = snapshot
            if self.cache_due:
                self.cache_due = False
                self.keep_slow_path()
        elif pane.table.changes != before:
            pane.table.call_after_paint(partial(self.fill_next_pane, snapshot))  # its paint, its own turn
        else:
            self.call_later(self.fill_next_pane, snapshot)

    def explain_empty(self, snapshot: Snapshot) -> None:
        """What each pane says when it has nothing to show."""
        min_loss = self.session.config.harvest.min_loss
        self.query_one(HoldingsPane).why_empty = empty_states.holdings_note(self.keys)
        self.query_one(CandidatesPane).why_empty = empty_states.candidates_note(snapshot, min_loss, self.keys)
        self.query_one(ChecklistPane).why_empty = empty_states.checklist_note(self.keys)

    def on_work_failed(self, message: WorkFailed) -> None:
        self.notify(message.text, severity="error", timeout=8, markup=False)

    def on_detail_ready(self, message: DetailReady) -> None:
        detail, screen = message.detail, self.app.screen
        if not message.refresh:
            self.app.push_screen(DetailScreen(detail, message.table))
        elif isinstance(screen, DetailScreen) and screen.shows(detail.account, detail.asset):
            screen.show(detail, message.table)  # still open on that asset: the figures at the new prices

    def on_pane_filter_changed(self) -> None:
        if self.snapshot is not None:
            self.post_message(SnapshotReady(self.snapshot, self.preview))

    def on_holdings_pane_expand_toggled(self) -> None:
        self.expanded = frozenset(self.query_one(HoldingsPane).expanded)
        self.on_pane_filter_changed()  # the marker flips now; the lots come with the recompute
        self.recompute()

    def on_holdings_pane_details_wanted(self, message: HoldingsPane.DetailsWanted) -> None:
        self.fetch_detail(message.account, message.asset)

    def on_candidates_pane_toggle_plan(self, message: CandidatesPane.TogglePlan) -> None:
        candidate = message.candidate
        self.run_engine_call("", lambda: self.session.toggle(candidate))

    def on_checklist_pane_step_action(self, message: ChecklistPane.StepAction) -> None:
        """A confirmation names the state the step moves to; a move the engine would refuse
        (the rebuy not due yet, a finished step) is said at once instead, with no dialog."""
        steps = self.snapshot.steps if self.snapshot else []
        step = step_by_number(steps, message.number)
        if step is None or self.snapshot is None:
            return
        cancel = message.action == "cancel"
        try:
            if message.action == "advance":
                target = next_state(step, self.session.engine.clock(), self.snapshot.zone)
            else:
                target = skip_target(step, cancel)
        except InputError as refused:
            self.notify(str(refused), severity="warning", markup=False)
            return
        label = f"step {step.number}"
        if message.action == "advance":

            def advance(confirmed: bool | None) -> None:
                if confirmed:
                    self.run_engine_call(
                        label, lambda: state_words(self.session.advance(step.number, step).state)
                    )

            notice = self.session.identification_notice(step.account)  # from 2027: to the broker
            self.app.push_screen(ConfirmScreen(advance_question(step, target, notice), self.keys), advance)
        else:

            def skip(reason: str | None) -> None:
                if reason:
                    self.run_engine_call(
                        label,
                        lambda: state_words(
                            self.session.skip(step.number, reason, step, cancel=cancel).state
                        ),
                    )

            self.app.push_screen(ReasonScreen(skip_question(step, target, cancel), self.keys), skip)

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
            set_own_class(pane, index == self.active, "-active")
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
                    set_own_class(each, other == index, "-active")
                self.set_class(index == 2, "-checklist-active")
                self.query_one(PaneTabs).show(index, self.keys)
                self.fit_wide()

    def action_problems(self) -> None:
        self.app.push_screen(ProblemsScreen(self.session, self.keys, on_decided=self.recompute))

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
        and recomputes go on meanwhile. Progress (account and step) updates the status line in
        place; the summary comes back as a notification."""
        try:
            summary = self.session.sync(lambda text: self.progress(f"sync · {text}"))
            self.app.call_from_thread(self.notify, f"sync: {summary}")
        finally:
            self.progress(None)
            self.syncing = False  # one bool, read on the UI thread only
            self.load()
