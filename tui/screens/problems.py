"""`p`: the problems that hold advice back — largest blocked savings first — and the decisions
that resolve them, from the keyboard. The engine finds them and records the decisions
(engine.review); this screen asks for what a decision needs, runs it in a worker, and shows the
list recomputed with it: what each problem blocks is never shown from before a decision or a
reload. The keys' verbs and the screen methods they start are in tui.problem_actions."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from rich.text import Text
from textual import work
from textual.app import ComposeResult
from textual.containers import Vertical, VerticalScroll
from textual.message import Message
from textual.widgets import DataTable, Static
from textual.worker import Worker, WorkerState

from engine.core.errors import HarvestError
from engine.ledger.decisions import Decision
from engine.planning.alias_problems import alias_of
from engine.planning.data_problems import SENT_OUTSIDE, UNCLASSIFIED_ROW
from engine.planning.migration_problems import migration_of
from engine.planning.planner import Planner
from engine.review import actions
from engine.review.problems import OtherEnd, Problem
from engine.review.render import totals_line
from tui.keys import DEFAULT_KEYS, Keys, bindings
from tui.looks import looks_of
from tui.problem_actions import BY_VERB, not_offered, offered, verb_for
from tui.screens.decision_forms import (
    ChooseEndScreen,
    DecisionForm,
    FormOption,
    classification,
    classify_options,
)
from tui.screens.decisions import DecisionsScreen
from tui.screens.dialogs import ConfirmScreen, ReasonScreen
from tui.screens.first_resume import FirstResumeKeepsStyles
from tui.screens.focus_styles import OwnFocusWithin
from tui.screens.split_turns import SplitsLongTurns
from tui.session import Decide, Decided, ReviewView, Session
from tui.widgets.fitted_table import rebuild
from tui.widgets.footer import FooterSpace, mount_footer_soon
from tui.widgets.problem_view import (
    PROBLEM_COLUMNS,
    PROBLEM_RIGHT,
    labels,
    problem_cells,
    problem_detail,
    unsigned,
)


@dataclass
class ReviewReady(Message):
    view: ReviewView | None  # None: nothing changed since the list shown


@dataclass
class DecisionMade(Message):
    decided: Decided


@dataclass
class DecisionRefused(Message):
    line: str


class ProblemsScreen(SplitsLongTurns, OwnFocusWithin, FirstResumeKeepsStyles):
    BINDINGS = bindings("problems")

    def __init__(
        self, session: Session, keys: Keys = DEFAULT_KEYS, on_decided: Callable[[], object] = lambda: None
    ):
        super().__init__()
        self.session = session
        self.keys = keys
        self.on_decided = on_decided  # the main screen recomputes: header count, candidates
        self.view: ReviewView | None = None
        self.rows: list[Problem] = []
        self.show_ignored = False
        self.fetching = False  # a recompute of the list is running …
        self.fetch_again = False  # … and another was asked for meanwhile
        self.recording = False  # a decision is being recorded: the list is about to change

    def compose(self) -> ComposeResult:
        yield Static(Text(" Problems · finding what each one blocks…", style="bold"), id="problems-title")
        with Vertical(id="problems", classes="pane -active"):
            yield Static("", classes="note", markup=False)
            yield DataTable(cursor_type="row", zebra_stripes=True, id="problems-table")
        with VerticalScroll(id="problem-detail", classes="pane"):
            yield Static(id="problem-detail-text")
        yield FooterSpace()  # the footer's line until it comes, after the first frame

    def on_mount(self) -> None:
        self.query_one("#problems").border_title = "Problems — largest blocked savings first"
        self.query_one("#problem-detail").border_title = "Problem"
        self.query_one(DataTable).focus()
        mount_footer_soon(self)  # as the main and detail screens
        self.follow()

    # -- the list ---------------------------------------------------------------------------

    def follow(self) -> None:
        """Recompute the list (after a reload or a price tick: the main screen calls this);
        one recompute at a time, and one more if asked for while it ran."""
        if self.fetching:
            self.fetch_again = True
            return
        self.fetching, self.fetch_again = True, False
        self.fetch(self.view)

    @work(thread=True, group="review", description="review", exit_on_error=False)  # no repr of the view
    def fetch(self, shown: ReviewView | None) -> None:
        self.post_message(ReviewReady(self.session.review(shown)))

    def on_review_ready(self, message: ReviewReady) -> None:
        self.fetching = False
        if message.view is not None and not self.recording:
            self.show(message.view)
        if self.fetch_again:
            self.follow()

    def show(self, view: ReviewView) -> None:
        """The list as `view` has it, the cursor kept on the same problem (or the row that took
        the place of one resolved). A list older than the one shown is dropped."""
        if self.view is not None and view.serial < self.view.serial:
            return
        self.view = view
        review = view.review
        self.query_one("#problems-title", Static).update(
            Text(" Problems · " + totals_line(review), style="bold")
        )
        current, table = self.highlighted(), self.query_one(DataTable)
        row = table.cursor_row
        self.rows = review.problems + (review.ignored if self.show_ignored else [])
        looks = looks_of(self.app)
        rebuild(table, labels(PROBLEM_COLUMNS, PROBLEM_RIGHT),
                [problem_cells(p, view.zone, view.now, looks) for p in self.rows])  # fmt: skip
        keys = [p.key for p in self.rows]
        if current is not None and current.key in keys:
            row = keys.index(current.key)
        if self.rows:
            table.move_cursor(row=min(max(row, 0), len(self.rows) - 1), animate=False)
        note = self.query_one(".note", Static)
        note.update("" if self.rows else self.empty_note())
        note.set_class(not self.rows, "-shown")
        self.show_detail()
        for screen in self.app.screen_stack:
            if isinstance(screen, DecisionsScreen):
                screen.show(view)

    def empty_note(self) -> str:
        ignored = len(self.view.review.ignored) if self.view else 0
        if ignored and not self.show_ignored:
            return f"No open problems; {ignored} ignored ({self.keys.hint('show_ignored')} shows them)."
        return "No problems: nothing holds advice back."

    def highlighted(self) -> Problem | None:
        row = self.query_one(DataTable).cursor_row
        return self.rows[row] if 0 <= row < len(self.rows) else None

    def on_data_table_row_highlighted(self) -> None:
        self.show_detail()

    def show_detail(self) -> None:
        problem, view = self.highlighted(), self.view
        detail = self.query_one("#problem-detail-text", Static)
        if problem is None or view is None:
            detail.update("")
            return
        detail.update(problem_detail(problem, view.zone, view.now, self.keys, looks_of(self.app)))

    def action_show_ignored(self) -> None:
        self.show_ignored = not self.show_ignored
        if self.view is not None:
            self.show(self.view)

    def action_decisions(self) -> None:
        if self.view is not None:
            self.app.push_screen(DecisionsScreen(self.view, self.undo, self.keys))

    # -- decisions --------------------------------------------------------------------------

    def action_act(self, verb: str) -> None:
        problem = self.highlighted()
        if problem is None or self.view is None:
            return
        if self.recording:
            self.notify("A decision is being recorded: a moment", timeout=3)
            return
        verb = verb_for(verb, problem)
        if verb not in offered(problem):
            self.notify(not_offered(problem, verb), severity="warning", markup=False)
            return
        getattr(self, BY_VERB[verb].start)(problem)

    def record(self, decision: Decide) -> None:
        self.recording = True
        self.run_decision(decision)

    @work(thread=True, group="decide", exit_on_error=False)
    def run_decision(self, decision: Decide) -> None:
        try:
            decided = self.session.decide(decision)
        except HarvestError as refused:  # the engine's one line; nothing was recorded
            self.post_message(DecisionRefused(str(refused)))
            return
        self.post_message(DecisionMade(decided))

    def on_decision_made(self, message: DecisionMade) -> None:
        self.recording = False
        self.decided(message.decided)

    def decided(self, decided: Decided | None) -> None:
        """A decision was recorded (here or by a form): the list recomputed with it, and the
        main screen's header and candidates follow."""
        if decided is None:
            return
        self.show(decided.view)
        self.notify(decided.message, markup=False)
        self.on_decided()

    def on_decision_refused(self, message: DecisionRefused) -> None:
        self.recording = False
        self.notify(message.line, severity="error", timeout=8, markup=False)

    def on_worker_state_changed(self, event: Worker.StateChanged) -> None:
        if event.state == WorkerState.ERROR and event.worker.error is not None:
            self.recording = self.fetching = False
            error = event.worker.error
            self.notify(f"unexpected {type(error).__name__}: {error}", severity="error", markup=False)

    def start_pair(self, problem: Problem) -> None:
        self.choose_end(problem, "Pair", actions.pair)

    def start_unpair(self, problem: Problem) -> None:
        self.choose_end(problem, "Never pair", actions.unpair)

    def choose_end(
        self, problem: Problem, verb: str, act: Callable[[Planner, str, str], actions.Recorded]
    ) -> None:
        assert self.view is not None
        other = "receipt" if problem.kind == SENT_OUTSIDE else "send"
        question = f"{verb} {_record_words(problem)} with which {other}?"

        def chosen(end: OtherEnd | None) -> None:
            if end is not None:
                out, into = _send_and_receipt(problem, end)
                self.record(lambda planner: act(planner, out, into))

        screen = ChooseEndScreen(question, problem.other_ends, self.view.zone, self.view.now, self.keys)
        self.app.push_screen(screen, chosen)

    def start_classify(self, problem: Problem) -> None:
        record = problem.record or problem.key
        direction_known = problem.kind != UNCLASSIFIED_ROW

        def submit(value: str, typed: dict[str, str]) -> Decided:
            as_, direction = classification(value)
            given = {name: text or None for name, text in typed.items()}
            return self.session.decide(lambda planner: actions.classify(
                planner, record, as_, value=given.get("value"), basis=given.get("basis"),
                acquired=given.get("acquired"), to=given.get("to"),
                direction=None if direction_known else direction, reason=typed.get("reason", ""),
            ))  # fmt: skip

        question = f"Classify {_record_words(problem)}: what was it?"
        self.app.push_screen(
            DecisionForm(question, classify_options(problem.kind), submit, self.keys), self.decided
        )

    def start_own_address(self, problem: Problem) -> None:
        address = problem.address or ""

        def submit(_value: str, typed: dict[str, str]) -> Decided:
            return self.session.decide(
                lambda planner: actions.own_address(planner, address, typed["label"], typed.get("reason", ""))
            )

        option = FormOption("own", "a wallet of yours that is not imported", ("label",))
        question = (f"{address} is a wallet of yours (not imported): lots sent there stay yours and come back "
                    "with their basis and dates. Its label:")  # fmt: skip
        self.app.push_screen(DecisionForm(question, [option], submit, self.keys), self.decided)

    def start_price(self, problem: Problem) -> None:
        def submit(_value: str, typed: dict[str, str]) -> Decided:
            return self.session.decide(lambda planner: actions.price(
                planner, problem.key, typed["price"], problem.asset, typed.get("reason", "")
            ))  # fmt: skip

        option = FormOption("price", f"USD per unit of {problem.asset}", ("price",))
        question = (f"The USD price of {problem.asset} for {_record_words(problem)} at its time (it wins over "
                    "a prices file and exchange candles):")  # fmt: skip
        self.app.push_screen(DecisionForm(question, [option], submit, self.keys), self.decided)

    def start_alias(self, problem: Problem) -> None:
        code, asset = alias_of(problem.kind, problem.key) or (problem.asset, "")

        def answered(yes: bool | None) -> None:
            if yes:
                self.record(lambda planner: actions.alias(planner, problem.key))

        question = (f"Read {code} as {asset} from now on? Its lots join {asset}'s pool and transfers between "
                    f"the two codes pair (undo it from the decisions, {self.keys.hint('decisions')}).")  # fmt: skip
        self.app.push_screen(ConfirmScreen(question, self.keys), answered)

    def start_migrate(self, problem: Problem) -> None:
        found = migration_of(problem.kind, problem.key)
        if found is None:
            return

        def answered(yes: bool | None) -> None:
            if yes:
                self.record(lambda planner: actions.migrate(planner, problem.key))

        records = " and ".join(found.refs)
        question = (f"Record {records} as one migration of {found.old} into {found.new}? The gain or loss they "
                    f"book goes, and the {found.new} lots carry the {found.old} basis and dates (undo it from "
                    f"the decisions, {self.keys.hint('decisions')}).")  # fmt: skip
        self.app.push_screen(ConfirmScreen(question, self.keys), answered)

    def start_ignore(self, problem: Problem) -> None:
        effect = next((a.effect for a in problem.actions if a.verb == "ignore"), "")

        def reason_given(reason: str | None) -> None:
            if reason:
                self.record(lambda planner: actions.ignore(planner, problem.key, reason))

        question = f"Ignore the {problem.label} {_record_words(problem)} ({effect})? Why:"
        self.app.push_screen(ReasonScreen(question, self.keys), reason_given)

    def undo(self, decision: Decision) -> None:
        self.record(lambda planner: actions.undo(planner, decision.id))


def _record_words(problem: Problem) -> str:
    amount = "" if problem.quantity is None else f" {unsigned(problem.quantity)}"
    return f"{problem.ref or problem.id} ({problem.account}{amount} {problem.asset})"


def _send_and_receipt(problem: Problem, end: OtherEnd) -> tuple[str, str]:
    """(send, receipt) as the engine takes them: natural keys where the store has them."""
    this, other = problem.record or problem.key, end.record or end.id
    return (this, other) if problem.kind == SENT_OUTSIDE else (other, this)
