"""`harvest 1099da add | list | remove`: a paper Form 1099-DA's sales typed in, on the hand-built
2026 of tests/cli/test_form_1099da.py (coinbase's S2: SOL 2 sold 2026-04-01, proceeds 300,
basis 200; no DOGE sale in harvest)."""

from __future__ import annotations

import json

from tests.cli.test_form_1099da import NOW, home  # noqa: F401 - the fixture
from tests.support import run_cli

SOL = ("--account", "coinbase", "--name", "Solana", "--units", "2", "--acquired", "2026-03-01",
       "--sold", "2026-04-01", "--proceeds", "300.00", "--basis", "200.00", "--basis-reported",
       "--term", "short")  # fmt: skip


def reconciled(capsys) -> dict:  # noqa: ANN001
    code, out, _ = run_cli(capsys, *NOW, "1099da", "reconcile", "--year", "2026", "--format", "json")
    assert code == 0
    return json.loads(out)


def test_a_sale_added_by_hand_is_reconciled_like_an_imported_row(home, capsys):  # noqa: F811
    code, out, _ = run_cli(capsys, *NOW, "1099da", "add", *SOL)
    assert code == 0
    assert out.splitlines() == [
        "entered 1: coinbase SOL sold 2026-04-01: 2 units, proceeds 300.00, basis 200.00",
        "next: harvest 1099da reconcile --year 2026",
    ]
    result = reconciled(capsys)
    assert [(m["sale_id"], m["form_lines"], m["entered_by_hand"]) for m in result["matched"]] == [
        ("S2", [], [1])
    ]
    assert "coinbase" not in result["without_form"]
    code, out, _ = run_cli(capsys, *NOW, "1099da", "list")
    assert out == "1: coinbase SOL sold 2026-04-01: 2 units, proceeds 300.00, basis 200.00\n"


def test_hand_entries_stay_when_a_form_is_imported_and_go_when_removed(home, capsys):  # noqa: F811
    args = ("--account", "coinbase", "--name", "Dogecoin", "--units", "50", "--sold", "2026-06-02",
            "--proceeds", "$1,000,000,000,000,000.00", "--acquired", "various")  # fmt: skip
    assert run_cli(capsys, *NOW, "1099da", "add", *args)[0] == 0
    assert run_cli(capsys, *NOW, "1099da", "import", str(home / "form.csv"), "--account", "coinbase")[0] == 0
    doge = [
        (r["units"], r["proceeds"], r["line"], r["entered_by_hand"]) for r in reconciled(capsys)["form_only"]
    ]
    # 10^15 dollars: exact; the hand entry has no form line, its entry id instead
    assert doge == [("50", "1000000000000000.00", None, 1), ("1000", "150.00", 5, None)]
    code, out, _ = run_cli(capsys, *NOW, "1099da", "remove", "1")
    assert (code, out) == (
        0,
        "removed 1: coinbase DOGE sold 2026-06-02: 50 units, proceeds 1000000000000000.00, no basis\n",
    )
    assert [r["line"] for r in reconciled(capsys)["form_only"]] == [5]  # the imported form's row stays
    assert run_cli(capsys, *NOW, "1099da", "list")[1] == "no Form 1099-DA sales entered by hand\n"
    code, _, err = run_cli(capsys, *NOW, "1099da", "remove", "1")  # already removed
    assert code == 2
    assert err.strip().endswith("no Form 1099-DA sale entered by hand with id 1 (see harvest 1099da list)")


def test_a_bad_box_is_one_line_naming_it(home, capsys):  # noqa: F811
    code, out, err = run_cli(capsys, *NOW, "1099da", "add", *SOL[:-2], "--term", "medium")
    assert (code, out) == (2, "")
    assert err.strip().splitlines()[-1].endswith("6 term: expected short, long or ordinary, got 'medium'")
    code, _, err = run_cli(capsys, *NOW, "1099da", "add", "--account", "coinbase", "--name", "Solana")
    assert code == 2
    assert err.strip().endswith("1c units: missing value")  # the first bad box in the form's order
    assert run_cli(capsys, *NOW, "1099da", "list")[1] == "no Form 1099-DA sales entered by hand\n"
