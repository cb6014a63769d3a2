"""Asset alias suggestions in the problems list: a code that looks like another asset (XBT,
Kraken's code for BTC, kept as a file wrote it) is a problem blocking what the gate holds back
under it — here a receipt whose send is under the other code — resolved by the alias decision
the problem names (`harvest assets alias XBT BTC`, the app's `m`): the receipt then pairs with
its send, and an undo brings both problems back."""

from __future__ import annotations

import pytest

from engine.core import fixedpoint as fp
from engine.core.errors import InputError
from engine.planning.planner import Planner
from engine.review import actions
from engine.review.problems import Problem, find_review
from tests.support import HEADER, engine_from_csv, usd

TEXT = f"""{HEADER}
2026-03-01T15:00:00Z,coinbase,BTC,buy,1,80000,0,B1
2026-03-02T15:00:00Z,coinbase,BTC,transfer_out,0.5,,0,O1
2026-03-02T15:30:00Z,wallet,XBT,transfer_in,0.5,,0,I1
2026-03-01T15:00:00Z,kraken,ETH,buy,1,4000,0,E1
2026-03-05T15:00:00Z,kraken,XETH,buy,1,3000,0,E2
"""
PRICES = {"BTC": usd("60000"), "XBT": usd("60000"), "ETH": usd("3000"), "XETH": usd("3000")}


def by_kind(planner: Planner) -> dict[str, list[Problem]]:
    found: dict[str, list[Problem]] = {}
    for problem in find_review(planner, PRICES).problems:
        found.setdefault(problem.label, []).append(problem)
    return found


def test_an_alias_suggestion_blocks_what_the_gate_holds_back_under_its_code(tmp_path):
    planner = Planner(engine_from_csv(tmp_path, TEXT))
    found = by_kind(planner)
    xbt, xeth = found["asset alias suggested"]
    assert (xbt.asset, xbt.blocks, xbt.blocked.amount, xbt.blocked.unknown_because) == (
        "XBT",
        (("wallet", "XBT"),),
        None,
        "no lot of known basis",
    )
    assert xbt.reason == "XBT may be BTC (a known code for BTC): its lots are a pool of their own"
    assert [(a.verb, a.usage) for a in xbt.actions][0] == ("alias", "harvest assets alias XBT BTC")
    assert (xeth.asset, xeth.blocks, xeth.blocked) == ("XETH", (), None)  # nothing held back under it
    assert [p.ref for p in found["receive from outside"]] == ["I1"]
    # it gates nothing the other problems do not: the positions held back are the same
    assert {(b.account, b.asset) for b in planner.scan(PRICES)[1]} == {("wallet", "XBT")}


def test_the_alias_pairs_the_transfer_and_undo_brings_the_problems_back(tmp_path):
    planner = Planner(engine_from_csv(tmp_path, TEXT))
    xbt = by_kind(planner)["asset alias suggested"][0]
    said = actions.alias(planner, xbt.id, "Kraken's code for BTC")
    assert said.message == f"decision {said.decision_id}: XBT is read as BTC"
    found = by_kind(planner)
    assert set(found) == {"asset alias suggested"}  # the receipt paired with its send
    assert [p.asset for p in found["asset alias suggested"]] == ["XETH"]
    wallet = [lot for lot in planner.engine.lots().open_lots if lot.account == "wallet"]
    assert [(lot.asset, lot.lot_id, fp.fmt(lot.basis or 0)) for lot in wallet] == [("BTC", "B1", "40000.00")]
    actions.undo(planner, said.decision_id)
    assert [p.ref for p in by_kind(planner)["receive from outside"]] == ["I1"]


def test_an_alias_suggestion_can_be_ignored_and_only_an_alias_problem_is_aliased(tmp_path):
    planner = Planner(engine_from_csv(tmp_path, TEXT))
    found = by_kind(planner)
    xeth = found["asset alias suggested"][1]
    said = actions.ignore(planner, xeth.id, "XETH is a token of its own here")
    assert said.message.endswith("asset alias suggested XETH ignored; the problems under XETH stay")
    assert [p.asset for p in find_review(planner, PRICES).ignored] == ["XETH"]
    with pytest.raises(InputError, match="is no asset alias problem"):
        actions.alias(planner, found["receive from outside"][0].id)


def test_the_text_list_names_the_code_without_an_account(tmp_path):
    from zoneinfo import ZoneInfo

    from engine.review.render import review_text

    text = review_text(find_review(Planner(engine_from_csv(tmp_path, TEXT)), PRICES), ZoneInfo("UTC"))
    (line,) = [line for line in text.splitlines() if "asset alias suggested  XBT" in line]
    assert line.endswith("  asset alias suggested  XBT")
    assert "   resolve: harvest assets alias XBT BTC  — XBT is read as BTC from now on" in text
