"""Setting a price from the problems list (`harvest review price`): a no-USD-value record valued
at the user's price per unit through the fill machinery (a fill of source `user:ID`), winning
over a prices file and candles, and an undo that puts back what it replaced — the file's or a
candle's fill, else the flag. The Kraken ledger export of tests/engine/exchanges/test_price_fill.py
(staking and Earn rewards, an ETH->DOT trade, a withdrawal's fee in BTC: five records to price)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from pathlib import Path

import pytest

from engine.api import Engine
from engine.config.load import Config, TaxConfig
from engine.core import fixedpoint as fp
from engine.core.errors import InputError
from engine.core.units import EpochMicros
from engine.exchanges.price_fill import Key, fill_prices
from engine.imports.formats import Options
from engine.imports.importer import read_file
from engine.imports.price_history import read_history_file
from engine.ledger.price_needs import FoundPrice
from engine.planning.planner import Planner
from engine.review import actions
from engine.review.problems import Problem, find_review
from engine.store.store import Store
from tests.engine.review.test_problems import TEXT, planner_for

LEDGER = Path(__file__).resolve().parents[2] / "fixtures" / "imports" / "kraken" / "with-subclass.csv"
NOW = EpochMicros(1_780_000_000_000_000)
REWARD = "L0ST01-AAAAA-000011"  # 0.001 SOL staked, 2024-03-10
FEE = "L0W1A1-AAAAA-000020"  # a withdrawal of 0.03 BTC whose 0.0001 BTC fee has no value
TRADE = "TT3AAA-BBBBB-CCCC11"  # 0.4 ETH for 150 DOT


@pytest.fixture
def planner(tmp_path: Path) -> Iterator[Planner]:
    store = Store(tmp_path / "store.sqlite3")
    engine = Engine(Config(tax=TaxConfig(timezone="UTC")), store, lambda: NOW)
    engine.store_import(read_file(LEDGER, Options(None, None, None)))
    yield Planner(engine)
    store.close()


def problem(planner: Planner, ref: str) -> Problem:
    (found,) = [p for p in find_review(planner).problems if p.ref == ref]
    return found


def basis(planner: Planner, lot_id: str) -> int | None:
    (lot,) = [lot for lot in planner.engine.lots().open_lots if lot.lot_id == lot_id]
    return lot.basis


def fills(planner: Planner, ref: str) -> list[tuple[str, str, str, str]]:
    return [
        (f.asset, fp.fmt(f.found.price), f.found.source, f.found.interval)
        for f in planner.engine.store.listed_fills()
        if f.ref == ref
    ]


def fill_file(planner: Planner, tmp_path: Path, text: str) -> int:
    path = tmp_path / "history.csv"
    path.write_text("asset,timestamp,price\n" + text)
    engine = planner.engine
    report = fill_prices(engine.store, engine.config, NOW, engine.calendar.day, read_history_file(path))
    planner.refresh()
    return report.filled_count


def test_a_price_values_the_record_and_resolves_its_problem(planner: Planner):
    reward = problem(planner, REWARD)
    assert (reward.label, reward.asset, basis(planner, REWARD)) == ("no USD value", "SOL", None)
    assert [a.usage for a in reward.actions][:2] == [
        f"harvest review price {reward.id} USD_PER_UNIT [--asset ASSET]",
        "harvest prices fill",
    ]
    said = actions.price(planner, reward.id, "150", reason="Kraken's close that day")
    assert said.message == (
        f"decision {said.decision_id}: {REWARD} (kraken, 0.001 SOL, 2024-03-10 00:00) valued at $150.00 per SOL "
        "(was: no price)"
    )
    assert basis(planner, REWARD) == fp.parse("0.15")
    assert REWARD not in [p.ref for p in find_review(planner).problems]
    assert fills(planner, REWARD) == [("SOL", "150.00", f"user:{said.decision_id}", "user")]
    (decision,) = planner.engine.store.decisions()
    assert (decision.kind, decision.detail, decision.reason) == (
        "price",
        {"asset": "SOL", "price": "150"},
        "Kraken's close that day",
    )


def test_the_users_price_wins_over_the_file_and_undo_puts_the_files_back(planner: Planner, tmp_path: Path):
    day = "SOL,2024-03-10T00:00:00Z,140\n"
    assert fill_file(planner, tmp_path, day) == 1
    said = actions.price(planner, REWARD, "150")
    assert said.message.endswith("(was: $140.00 from file:history.csv)")
    assert fill_file(planner, tmp_path, day) == 0  # the file no longer replaces it
    assert fills(planner, REWARD) == [("SOL", "150.00", f"user:{said.decision_id}", "user")]
    assert basis(planner, REWARD) == fp.parse("0.15")
    assert actions.undo(planner, said.decision_id).message == f"decision {said.decision_id} (price) undone"
    assert fills(planner, REWARD) == [("SOL", "140.00", "file:history.csv", "file")]
    assert basis(planner, REWARD) == fp.parse("0.14")


def test_a_lookup_is_never_asked_for_a_record_the_user_priced(planner: Planner):
    class Asked:
        failures: dict[str, str] = {}
        keys: set[Key] = set()

        def lookup(self, keys: Collection[Key]) -> dict[Key, FoundPrice | str]:
            self.keys |= set(keys)
            return {key: "no candle" for key in keys}

    actions.price(planner, REWARD, "150")
    asked = Asked()
    engine = planner.engine
    fill_prices(engine.store, engine.config, NOW, engine.calendar.day, lookup=asked)
    assert {asset for asset, _minute in asked.keys} == {"SOL", "ETH", "DOT", "BTC"}  # the other reward …
    assert len([k for k in asked.keys if k[0] == "SOL"]) == 1  # … not this one
    assert fills(planner, REWARD)[0][2].startswith("user:")


def test_undo_without_an_earlier_fill_flags_the_record_again(planner: Planner):
    store = planner.engine.store
    flagged = store.flagged_count()
    said = actions.price(planner, problem(planner, f"{FEE}:fee").id, "60000")
    assert "valued at $60000.00 per BTC" in said.message
    assert store.flagged_count() == flagged - 1
    assert f"{FEE}:fee" not in [p.ref for p in find_review(planner).problems]
    actions.undo(planner, said.decision_id)
    assert store.flagged_count() == flagged
    assert fills(planner, FEE) == []
    assert problem(planner, f"{FEE}:fee").label == "no USD value"


def test_a_second_price_replaces_the_first_and_undoing_both_gives_back_the_start(planner: Planner):
    first = actions.price(planner, REWARD, "150")
    second = actions.price(planner, REWARD, "155")
    assert second.message.endswith(f"(was: $150.00 from user:{first.decision_id})")
    assert basis(planner, REWARD) == fp.parse("0.155")
    actions.undo(planner, second.decision_id)
    assert fills(planner, REWARD) == [("SOL", "150.00", f"user:{first.decision_id}", "user")]
    actions.undo(planner, first.decision_id)
    assert fills(planner, REWARD) == []
    assert basis(planner, REWARD) is None


def test_a_trade_is_priced_by_what_was_received_or_given(planner: Planner):
    actions.price(planner, TRADE, "3600", asset="eth")  # the 0.4 ETH given
    assert basis(planner, TRADE) == fp.parse("1440")
    assert fills(planner, TRADE)[0][:2] == ("ETH", "3600.00")
    with pytest.raises(InputError, match=f"{TRADE} needs a price of DOT or ETH, not BTC"):
        actions.price(planner, TRADE, "60000", asset="BTC")


@pytest.mark.parametrize(
    ("key", "price", "line"),
    [
        (REWARD, "-1", "a price must not be negative: '-1'"),
        (REWARD, "abc", "not a price in USD per unit: 'abc'"),
        ("TT1AAA-BBBBB-CCCC01", "1", "TT1AAA-BBBBB-CCCC01 has a USD value: there is nothing to price"),
        ("nothing", "1", "no record 'nothing' without a USD value"),
    ],
)
def test_a_price_that_cannot_be_set_is_refused_and_nothing_recorded(
    planner: Planner, key: str, price: str, line: str
):
    with pytest.raises(InputError, match=line.replace("(", r"\(").replace(")", r"\)")):
        actions.price(planner, key, price)
    assert planner.engine.store.decisions() == []


def test_a_receipt_classified_as_income_without_a_value_is_priced_by_classifying_it_again(tmp_path: Path):
    planner = planner_for(tmp_path, TEXT)  # K1: 5 SOL received on kraken from outside
    classified = actions.classify(planner, "K1", "income")
    reward = problem(planner, "K1")
    assert reward.label == "no USD value"
    said = actions.price(planner, reward.id, "80")
    assert said.message.endswith(
        f"classified as income at $400.00 ($80.00 per SOL; undo gives back decision {classified.decision_id})"
    )
    assert "K1" not in [p.ref for p in find_review(planner).problems]
    actions.undo(planner, said.decision_id)
    assert problem(planner, "K1").label == "no USD value"
