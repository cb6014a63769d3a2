"""The Problems screen (issue 15): `p` from the main screen lists what holds advice back, largest
blocked savings first, with a count in the header; decisions made from the keyboard — pair,
classify, ignore, undo — record through the engine, and the list, the header and the candidates
follow at once; a refusal is the engine's one line and records nothing."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path

import pytest
from textual.widgets import DataTable, Static
from textual.widgets._footer import FooterKey

from engine.api import Engine
from engine.core import fixedpoint as fp
from engine.planning.planner import Planner
from engine.review import actions
from engine.store.store import Store
from tests.tui.pilot import cells, notifications, settled, table, widths_fit
from tests.tui.review_story import story_app
from tui.app import HarvestApp
from tui.screens.decision_forms import ChooseEndScreen, DecisionForm
from tui.screens.decisions import DecisionsScreen
from tui.screens.dialogs import ConfirmScreen, ReasonScreen
from tui.screens.help import help_markdown
from tui.screens.main import MainScreen
from tui.screens.problems import ProblemsScreen
from tui.widgets.header_bar import HeaderBar

AMBIGUOUS_ETH = "c28840"  # Kraken's first ETH deposit: either Coinbase send could be its other end
SOL_RECEIVED = "2ca0e8"  # SOL received on Kraken from outside
BTC_RECEIVED = "86d5c6"  # BTC received on Coinbase from the cold wallet (its address is known)
BTC_SENT = "83b464"  # BTC sent to that cold wallet


def header(app: HarvestApp) -> str:
    return str(app.main.query_one(HeaderBar).render())


def title(app: HarvestApp) -> str:
    return str(app.screen.query_one("#problems-title", Static).render())


def problem_ids(app: HarvestApp) -> list[str]:
    return [row[-1] for row in cells(app, "problems")]


def candidate_rows(app: HarvestApp) -> list[tuple[str, str, str]]:
    """(account, asset, net) of the candidates (not the `?` rows of blocked positions)."""
    return [(row[1], row[2], row[9]) for row in _main_cells(app, "candidates") if row[0] != "?"]


def _main_cells(app: HarvestApp, pane: str) -> list[list[str]]:
    """A main screen pane's cells, read while another screen is on top."""
    t = app.main.query_one(f"#{pane}-table", DataTable)
    return [[str(c) for c in t.get_row_at(i)] for i in range(t.row_count)]


async def until(pilot, condition: Callable[[], bool], seconds: float = 30) -> None:  # noqa: ANN001
    """Wait for what a worker will show (bounded: the store is looked at every 20 ms here)."""
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "the app never showed it"
        await pilot.pause()


async def open_problems(pilot) -> None:  # noqa: ANN001
    await settled(pilot)
    await pilot.press("p")
    await settled(pilot)
    assert isinstance(pilot.app.screen, ProblemsScreen)


async def highlight(pilot, problem_id: str) -> None:  # noqa: ANN001
    ids = problem_ids(pilot.app)
    table(pilot.app, "problems").move_cursor(row=ids.index(problem_id))
    await pilot.pause()


async def pair_ambiguous_eth(pilot) -> None:  # noqa: ANN001
    """Pair Kraken's first ETH deposit with the 10:00 Coinbase send (r5), chosen from the list."""
    await highlight(pilot, AMBIGUOUS_ETH)
    await pilot.press("p")
    await settled(pilot)
    assert isinstance(pilot.app.screen, ChooseEndScreen)
    ends = cells(pilot.app, "ends")
    assert [(row[1], row[-1]) for row in ends] == [("r6", "ambiguous"), ("r5", "ambiguous")]
    await pilot.press("down", "enter")
    await settled(pilot)


async def test_p_lists_the_problems_largest_blocked_first_and_the_header_counts_them(tmp_path: Path):
    app = story_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert "6 problems" in header(app)
        await open_problems(pilot)
        rows = cells(app, "problems")
        assert [(row[0], row[1], row[2], row[3]) for row in rows] == [
            # worked by hand in tests/cli/test_review_story.py (the same story and tax profile)
            ("$1,404.00 partial", "receive from outside", "coinbase", "BTC"),
            ("$235.80", "unclassified row", "coinbase", "ETH"),
            ("unknown: no lot of known basis", "ambiguous transfer", "kraken", "ETH"),
            ("unknown: no lot of known basis", "ambiguous transfer", "kraken", "ETH"),
            ("unknown: no lot of known basis", "receive from outside", "kraken", "SOL"),
            ("none", "send to outside", "coinbase", "BTC"),
        ]
        assert rows[2][4:] == ["Feb 3 05:41", "0.4995", AMBIGUOUS_ETH]  # New York time, exact amount
        assert widths_fit(table(app, "problems"))
        assert (
            "6 problems, $1,639.80 of savings blocked (and 2 position(s) whose savings are unknown)"
            in title(app)
        )
        await highlight(pilot, AMBIGUOUS_ETH)
        detail = str(app.screen.query_one("#problem-detail-text", Static).render())
        assert "b4999c  r6      coinbase  Feb 3 05:10  0.5 ETH  ambiguous" in detail
        assert "p  one move: the send's lots arrive with their basis and dates" in detail
        assert "c  income (or airdrop) at its value when received" in detail
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_pairing_a_transfer_resolves_it_and_its_position_becomes_a_candidate(tmp_path: Path):
    app = story_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        assert ("kraken", "ETH") not in {row[:2] for row in candidate_rows(app)}
        await open_problems(pilot)
        await pair_ambiguous_eth(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        # the other deposit now has one send left: the rules pair it, and both problems go
        assert AMBIGUOUS_ETH not in problem_ids(app)
        assert "454a3e" not in problem_ids(app)
        assert (
            "4 problems, $1,639.80 of savings blocked (and 1 position(s) whose savings are unknown)"
            in title(app)
        )
        assert any(m.startswith("decision 1: r5 (coinbase, 0.5 ETH") for m, _ in notifications(app))
        assert "4 problems" in header(app)
        assert ("kraken", "ETH", "$236") in candidate_rows(app)


async def test_classifying_a_receive_as_income_with_its_value(tmp_path: Path):
    app = story_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_problems(pilot)
        await highlight(pilot, SOL_RECEIVED)
        await pilot.press("c")
        await settled(pilot)
        assert isinstance(app.screen, DecisionForm)  # income is the first choice for a receipt
        await pilot.press("tab", *"3000", "enter")  # its value when received
        await settled(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        assert SOL_RECEIVED not in problem_ids(app)
        [decision] = app.session.engine.store.decisions()
        assert (decision.kind, decision.detail) == ("classify", {"as": "income", "value": "3000"})
        assert "5 problems" in header(app)
        # 20 SOL of basis $3,000 now worth $2,400: a candidate
        sol = [row for row in _main_cells(app, "candidates") if row[1:3] == ["kraken", "SOL"]]
        assert sol
        assert sol[0][4] == "−$600"


async def test_undo_brings_the_problem_back(tmp_path: Path):
    app = story_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_problems(pilot)
        await pair_ambiguous_eth(pilot)
        assert "4 problems" in header(app)
        assert ("kraken", "ETH", "$236") in candidate_rows(app)
        await pilot.press("d")
        await settled(pilot)
        assert isinstance(app.screen, DecisionsScreen)
        [row] = cells(app, "decisions")
        assert row[:3] + row[-1:] == ["1", "Nov 24 12:00", "pair", "in force"]
        await pilot.press("u")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settled(pilot)
        assert cells(app, "decisions")[0][-1] == "undone Nov 24 12:00"
        await pilot.press("escape")
        assert isinstance(app.screen, ProblemsScreen)
        assert AMBIGUOUS_ETH in problem_ids(app)
        assert "6 problems" in title(app)
        assert "6 problems" in header(app)
        assert ("kraken", "ETH") not in {row[:2] for row in candidate_rows(app)}


async def test_a_refused_decision_shows_the_engines_line_and_records_nothing(tmp_path: Path):
    app = story_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_problems(pilot)
        await highlight(pilot, BTC_RECEIVED)
        await pilot.press("o")  # its address is a wallet of mine…
        await settled(pilot)
        await pilot.press(*"my cold", "enter")  # … with a label the engine refuses
        await settled(pilot)
        line = "--label 'my cold': letters, digits, . _ - (up to 40)"
        assert (line, "error") in notifications(app)
        assert isinstance(app.screen, DecisionForm)  # still open with what was typed
        assert app.session.engine.store.decisions() == []
        await pilot.press("escape")
        assert len(problem_ids(app)) == 6


async def test_ignore_with_a_reason_then_shown_with_a_and_refused_twice(tmp_path: Path):
    app = story_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_problems(pilot)
        await highlight(pilot, BTC_SENT)
        await pilot.press("i")
        assert isinstance(app.screen, ReasonScreen)
        await pilot.press(*"paid a friend, below the threshold", "enter")
        await settled(pilot)
        assert BTC_SENT not in problem_ids(app)
        assert "5 problems" in title(app)
        assert "; 1 ignored" in title(app)
        await pilot.press("a")  # the ignored ones too
        assert cells(app, "problems")[-1][1] == "send to outside (ignored)"
        await highlight(pilot, BTC_SENT)
        await pilot.press("i", *"again", "enter")
        await settled(pilot)
        assert ("already ignored by decision 1", "error") in notifications(app)
        assert len(app.session.engine.store.decisions()) == 1


async def test_a_key_the_problem_does_not_take_says_why(tmp_path: Path):
    app = story_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_problems(pilot)
        await highlight(pilot, SOL_RECEIVED)  # no send is a likely other end, and no address
        await pilot.press("p")
        await pilot.press("o")
        await settled(pilot)
        said = notifications(app)
        assert said[-2][0].startswith("no send of yours is a likely other end of LRV4AA-AAAAA-000004")
        assert said[-1][0].startswith("a receive from outside cannot be resolved that way")
        assert isinstance(app.screen, ProblemsScreen)


async def test_a_decision_made_by_another_harvest_shows_without_a_key(tmp_path: Path, monkeypatch):
    """`harvest review ignore …` in another process: the store watch reloads, the open list and
    the header follow."""
    monkeypatch.setattr(MainScreen, "STORE_POLL_SECONDS", 0.02)
    app = story_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_problems(pilot)
        with Store(tmp_path / "story.sqlite3") as other:
            engine = Engine(app.session.config, other, app.session.engine.clock)
            actions.ignore(Planner(engine), BTC_SENT, "a payment under the threshold")
        await until(pilot, lambda: BTC_SENT not in problem_ids(app))
        assert "5 problems" in title(app)
        assert "5 problems" in header(app)


async def test_an_older_list_never_replaces_a_newer_one(tmp_path: Path):
    app = story_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_problems(pilot)
        screen = app.screen
        assert isinstance(screen, ProblemsScreen)
        before = screen.view
        assert before is not None
        await pair_ambiguous_eth(pilot)
        screen.show(before)  # a worker's answer computed before the decision, arriving late
        assert AMBIGUOUS_ETH not in problem_ids(app)


@pytest.mark.parametrize("size", [(80, 24), (120, 40)])
async def test_the_problem_table_columns_fit_their_cells(tmp_path: Path, size: tuple[int, int]):
    app = story_app(tmp_path)
    async with app.run_test(size=size) as pilot:
        await open_problems(pilot)
        assert widths_fit(table(app, "problems"))


async def test_the_problems_keys_are_remapped_by_id_in_the_footer_and_the_help(tmp_path: Path):
    app = story_app(tmp_path, keymap={"problems": "w", "pair": "f"})
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        footer = {key.description: key.key_display for key in app.screen.query(FooterKey)}
        assert footer["Problems"] == "w"
        await pilot.press("w")
        await settled(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        assert {key.description: key.key_display for key in app.screen.query(FooterKey)}["Pair"] == "f"
        await highlight(pilot, AMBIGUOUS_ETH)
        detail = str(app.screen.query_one("#problem-detail-text", Static).render())
        assert "f  one move: the send's lots arrive" in detail
        await pilot.press("f")
        assert isinstance(app.screen, ChooseEndScreen)
        source = help_markdown(app.keys)
        assert "| main | `w` | the problems that hold advice back |" in source
        assert "| Problems | `f` | pair with one of the other ends listed (enter pairs) |" in source


async def test_without_prices_what_problems_block_is_unknown_never_zero(tmp_path: Path):
    app = story_app(tmp_path, priced=False)
    async with app.run_test(size=(120, 40)) as pilot:
        await open_problems(pilot)
        blocked = [row[0] for row in cells(app, "problems")]
        assert blocked[:5] == ["unknown: no prices"] * 5
        assert blocked[5] == "none"  # the send blocks no position at all
        assert not any("$" in cell for cell in blocked)
        assert "whose savings are unknown: no prices given" in title(app)


def test_the_list_is_recomputed_only_when_the_lots_or_the_prices_moved(tmp_path: Path):
    session = story_app(tmp_path).session
    session.load()
    shown = session.review()
    assert shown is not None
    assert session.review(shown) is None  # a price poll with nothing new: no second scan
    session.set_prices({"SOL": fp.parse("100")}, session.engine.clock())
    moved = session.review(shown)
    assert moved is not None
    assert moved.serial > shown.serial
    session.load()  # a reload (another harvest imported): new lots
    assert session.review(moved) is not None
