"""The Problems screen's `v` and `m`. `v`: the USD price per unit of a record without a USD value,
typed in a form and recorded through the engine (a PRICE decision, a fill of source `user:ID`);
the list, the header and the decisions follow at once, and `u` in the decisions undoes it — on a
Kraken ledger export whose staking rewards, Earn reward, ETH->DOT trade and withdrawal fee have
no value. `m`: an asset alias problem (XBT, Kraken's code for BTC, kept by a file) recorded as
the alias after a confirmation; the receipt under XBT then pairs with its BTC send."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from engine.api import Engine
from engine.config.load import Config, TaxConfig
from engine.core import fixedpoint as fp
from engine.core.dates import fixed_clock
from engine.imports.formats import Options
from engine.imports.importer import read_file
from engine.review.problems import find_review
from engine.store.store import Store
from tests.support import HEADER, ROOT, engine_from_csv
from tests.tui.pilot import cells, notifications, settled, table
from tests.tui.review_story import FixedPrices
from tui.app import HarvestApp
from tui.screens.decision_forms import DecisionForm
from tui.screens.decisions import DecisionsScreen
from tui.screens.dialogs import ConfirmScreen
from tui.screens.help import help_markdown
from tui.screens.problems import ProblemsScreen
from tui.session import Session
from tui.testing import AS_OF, QUIET

LEDGER = ROOT / "tests" / "fixtures" / "imports" / "kraken" / "with-subclass.csv"
REWARD = "L0ST01-AAAAA-000011"  # 0.001 SOL staked on 2024-03-10, without a value


def kraken_app(directory: Path) -> HarvestApp:
    config = replace(Config(tax=TaxConfig(timezone="UTC")), alerts=QUIET)
    clock = fixed_clock(AS_OF, "UTC")
    engine = Engine(config, Store(directory / "kraken.sqlite3"), clock)
    engine.store_import(read_file(LEDGER, Options(None, None, None)))
    session = Session(engine, config_path=directory / "config.yaml", export_dir=directory)
    session.set_prices({"SOL": fp.parse("150"), "ETH": fp.parse("3000"), "DOT": fp.parse("5")}, clock())
    return HarvestApp(session, FixedPrices())


def reward_id(app: HarvestApp) -> str:
    (found,) = [p.id for p in find_review(app.session.planner).problems if p.ref == REWARD]
    return found


def ids(app: HarvestApp) -> list[str]:
    return [row[-1] for row in cells(app, "problems")]


async def test_v_prices_a_reward_and_undo_flags_it_again(tmp_path: Path):
    app = kraken_app(tmp_path)
    reward = reward_id(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("p")
        await settled(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        table(app, "problems").move_cursor(row=ids(app).index(reward))
        await pilot.pause()
        detail = str(app.screen.query_one("#problem-detail-text").render())
        assert "v  your price per unit at its time: it wins over a prices file and candles" in detail
        assert "cli  harvest prices fill — look the value up in a prices file or exchange candles" in detail
        await pilot.press("v")
        await settled(pilot)
        assert isinstance(app.screen, DecisionForm)
        await pilot.press(*"150", "enter")
        await settled(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        assert reward not in ids(app)
        said = [message for message, _ in notifications(app) if message.startswith("decision 1:")]
        assert said == [
            f"decision 1: {REWARD} (kraken, 0.001 SOL, 2024-03-10 00:00) valued at $150.00 per SOL (was: no price)"
        ]
        (decision,) = app.session.engine.store.decisions()
        assert (decision.kind, decision.detail) == ("price", {"asset": "SOL", "price": "150"})
        await pilot.press("d")
        await settled(pilot)
        assert isinstance(app.screen, DecisionsScreen)
        await pilot.press("u")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settled(pilot)
        await pilot.press("escape")
        assert reward in ids(app)
        assert app.session.engine.store.listed_fills() == []


async def test_a_price_the_engine_refuses_keeps_the_form_open_and_records_nothing(tmp_path: Path):
    app = kraken_app(tmp_path)
    reward = reward_id(app)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("p")
        await settled(pilot)
        table(app, "problems").move_cursor(row=ids(app).index(reward))
        await pilot.press("v", *"-3", "enter")
        await settled(pilot)
        assert ("a price must not be negative: '-3'", "error") in notifications(app)
        assert isinstance(app.screen, DecisionForm)
        assert app.session.engine.store.decisions() == []


def test_the_price_and_alias_keys_are_in_the_help():
    from tui.keys import DEFAULT_KEYS

    source = help_markdown(DEFAULT_KEYS)
    assert "| Problems | `v` | set its USD price per unit (a record without a USD value) |" in source
    assert (
        "| Problems | `m` | read the code as the asset it suggests, or record the migration it suggests "
        "(confirmed) |" in source
    )


ALIAS_STORY = f"""{HEADER}
2026-03-01T15:00:00Z,coinbase,BTC,buy,1,80000,0,B1
2026-03-02T15:00:00Z,coinbase,BTC,transfer_out,0.5,,0,O1
2026-03-02T15:30:00Z,wallet,XBT,transfer_in,0.5,,0,I1
"""


def alias_app(directory: Path) -> HarvestApp:
    engine = engine_from_csv(directory, ALIAS_STORY)
    engine.set_config(replace(engine.config, alerts=QUIET))
    session = Session(engine, config_path=directory / "config.yaml", export_dir=directory)
    session.set_prices({"BTC": fp.parse("60000")}, engine.clock())
    return HarvestApp(session, FixedPrices())


async def test_m_aliases_the_code_after_a_confirmation_and_the_receipt_pairs(tmp_path: Path):
    app = alias_app(tmp_path)
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("p")
        await settled(pilot)
        rows = cells(app, "problems")
        assert [(row[1], row[2], row[3]) for row in rows] == [
            ("asset alias suggested", "", "XBT"),
            ("receive from outside", "wallet", "XBT"),
            ("send to outside", "coinbase", "BTC"),
        ]
        assert (
            rows[0][0] == rows[1][0] == "unknown: no current price for XBT"
        )  # it blocks what the receipt blocks
        await pilot.pause()
        detail = str(app.screen.query_one("#problem-detail-text").render())
        assert detail.startswith("asset alias suggested — XBT\n")
        assert "m  XBT is read as BTC from now on: one pool, and transfers between the codes pair" in detail
        await pilot.press("m")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("n")  # not yet: nothing recorded
        assert app.session.engine.store.decisions() == []
        await pilot.press("m", "y")
        await settled(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        assert cells(app, "problems") == []  # the receipt now pairs with its send: no problem left
        assert ("decision 1: XBT is read as BTC", "information") in notifications(app)
        (decision,) = app.session.engine.store.decisions()
        assert (decision.kind, decision.subject, decision.detail) == ("alias", "XBT", {"asset": "BTC"})


MIGRATION_STORY = f"""{HEADER}
2023-03-01T15:00:00Z,coinbase,MATIC,buy,1000,1.20,0,B1
2024-09-10T15:00:00Z,coinbase,MATIC,sell,1000,0.38,0,S1
2024-09-10T15:05:00Z,coinbase,POL,buy,1000,0.38,0,B2
"""


async def test_m_on_a_migration_problem_records_the_migration_after_a_confirmation(tmp_path: Path):
    engine = engine_from_csv(tmp_path, MIGRATION_STORY)
    engine.set_config(replace(engine.config, alerts=QUIET))
    session = Session(engine, config_path=tmp_path / "config.yaml", export_dir=tmp_path)
    session.set_prices({"POL": fp.parse("0.40")}, engine.clock())
    app = HarvestApp(session, FixedPrices())
    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        await pilot.press("p")
        await settled(pilot)
        assert [(row[1], row[2], row[3]) for row in cells(app, "problems")] == [
            ("asset migration suggested", "coinbase", "MATIC")
        ]
        await pilot.pause()
        detail = str(app.screen.query_one("#problem-detail-text").render())
        assert (
            "m  one migration of MATIC into POL: no gain or loss, lots carried with basis and dates" in detail
        )
        await pilot.press("m")
        assert isinstance(app.screen, ConfirmScreen)
        await pilot.press("y")
        await settled(pilot)
        assert isinstance(app.screen, ProblemsScreen)
        assert cells(app, "problems") == []
        (decision,) = app.session.engine.store.decisions()
        assert (decision.kind, decision.subject) == ("migration", "MATIC>POL")
        assert app.session.engine.lots().realized == []  # the fake loss is gone
