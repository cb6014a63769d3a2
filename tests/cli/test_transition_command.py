"""`harvest transition snapshot|propose|record|show` on the hand-built story
(tests/engine/ledger/transition_story.py has the history and the figures worked out)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.engine.ledger.transition_story import HISTORY
from tests.support import ROOT, run_cli

GOLDEN = ROOT / "tests" / "fixtures" / "golden"
NOW = ("--as-of", "2026-11-24")


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> Path:
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
    config = tmp_path / "config.yaml"
    config.write_text("tax:\n  timezone: America/New_York\nlots:\n  basis_scope: universal_until_2025\n")
    monkeypatch.setenv("HARVEST_CONFIG", str(config))
    history = tmp_path / "history.csv"
    history.write_text(HISTORY)
    assert run_cli(capsys, "import", str(history))[0] == 0
    return tmp_path


def golden(name: str, text: str) -> None:
    """Compare with tests/fixtures/golden/NAME; HARVEST_UPDATE_GOLDEN=1 rewrites it (then read
    the diff before committing)."""
    path = GOLDEN / name
    if os.environ.get("HARVEST_UPDATE_GOLDEN"):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    assert text == path.read_text()


def write(home: Path, name: str, text: str) -> str:
    path = home / name
    path.write_text(text)
    return str(path)


def test_snapshot_json_lists_units_per_account_and_the_unused_lots(home, capsys):
    code, out, _ = run_cli(capsys, *NOW, "transition", "snapshot", "--format", "json")
    assert code == 0
    (btc,) = json.loads(out)["assets"]
    assert btc["held"] == {"coinbase": "1", "kraken": "0.5", "ledger": "1"}
    assert [(lot["lot"], lot["quantity"], lot["basis"]) for lot in btc["unused"]] == [
        ("C1", "0.5", "5000.00"),
        ("K1", "1", "50000.00"),
        ("C2", "1", "20000.00"),
    ]
    assert btc["first_disposal"] == {"date": "2025-03-01", "account": "kraken"}
    assert btc["allocation"] is None


def test_propose_then_record_the_file_then_show_the_document(home, capsys):
    code, proposal, _ = run_cli(capsys, *NOW, "transition", "propose", "--format", "csv")
    assert code == 0
    golden("allocation_proposal.csv", proposal)
    path = write(home, "allocation.csv", proposal)
    code, out, _ = run_cli(capsys, *NOW, "transition", "record", "--file", path, "--made-on", "2025-02-15",
                           "--reason", "my spreadsheet of February 2025")  # fmt: skip
    assert code == 0
    assert out.startswith("recorded BTC: specific-unit allocation, 5 slice(s) (decision 1)\n")
    code, document, _ = run_cli(capsys, *NOW, "transition", "show")
    golden("allocation_document.txt", document)
    code, document_json, _ = run_cli(capsys, *NOW, "transition", "show", "--format", "json")
    golden("allocation_document.json", document_json)
    # the 2025 sales follow it: S2 from kraken's K1 0.5, S3 from coinbase's K1 0.5 and C2 0.5
    code, realized, _ = run_cli(capsys, *NOW, "report", "realized", "--year", "2025", "--format", "csv")
    assert [line.split(",")[8:11] for line in realized.splitlines()[1:]] == [
        ["long", "K1", "S2"], ["long", "K1", "S3"], ["long", "C2", "S3"]
    ]  # fmt: skip


def test_recording_twice_is_refused_the_allocation_is_irrevocable(home, capsys):
    assert run_cli(capsys, *NOW, "transition", "record")[0] == 0
    code, _, err = run_cli(capsys, *NOW, "transition", "record")
    assert code == 2
    assert "BTC: an allocation is already recorded (decision 1); it is irrevocable" in err


@pytest.mark.parametrize(
    ("rows", "problem"),
    [
        # kraken held 0.5, not 1: units allocated to an account must equal its units
        (
            "kraken,BTC,K1,1\ncoinbase,BTC,C2,1\nledger,BTC,C1,0.5\n",
            "kraken held 0.5 on 2025-01-01 but 1 is allocated",
        ),
        # S1 used 0.5 of C1's basis in 2024: only 0.5 of it is unused
        ("ledger,BTC,C1,1\ncoinbase,BTC,C2,1\nkraken,BTC,K1,0.5\n", "lot C1: 1 asked, 0.5 unused"),
        ("ledger,BTC,X9,1\n", "line 2: lot X9 is not unused basis of BTC as of 2025-01-01"),
    ],
)
def test_record_refuses_an_allocation_that_breaks_the_constraints(home, capsys, rows, problem):
    path = write(home, "bad.csv", "account,asset,lot,quantity\n" + rows)
    code, out, err = run_cli(capsys, *NOW, "transition", "record", "--file", path)
    assert code == 2
    assert out == ""
    assert err.startswith("harvest: nothing recorded: ")
    assert problem in err
    assert "No allocation recorded" in run_cli(capsys, "transition", "show")[1]


def test_a_bad_allocation_file_names_its_line_and_column(home, capsys):
    path = write(home, "bad.csv", "account,asset,lot,quantity\nkraken,BTC,K1,half\n")
    code, _, err = run_cli(capsys, *NOW, "transition", "record", "--file", path)
    assert code == 2
    assert f"{path}:2: quantity:" in err


@pytest.mark.parametrize(
    ("options", "flags"),
    [
        # recorded today (2026-11-24): after the first 2025 sale (2025-03-01) and after Oct 15, 2026
        ((), ["not timely: made after the first disposal of BTC from 2025 (2025-03-01 in kraken",
              "not timely: made after October 15, 2026"]),
        (("--made-on", "2025-02-15"), []),  # before the first sale and the due date: timely
        (("--made-on", "2025-03-01"), ["made the day of the first disposal from 2025 (2025-03-01 in kraken): timely only"]),
    ],
)  # fmt: skip
def test_specific_unit_timeliness(home, capsys, options, flags):
    code, out, _ = run_cli(capsys, *NOW, "transition", "record", *options)
    assert code == 0
    shown = [line.strip() for line in out.splitlines() if line.startswith("  ")]
    assert len(shown) == len(flags)
    assert all(line.startswith(flag) for line, flag in zip(shown, flags, strict=True))


def test_a_global_rule_written_before_2025_completed_after_april_15(home, capsys):
    code, out, _ = run_cli(capsys, *NOW, "transition", "record", "--rule", "hifo",
                           "--accounts", "kraken,coinbase,ledger", "--rule-written-on", "2024-12-01",
                           "--made-on", "2026-05-01")  # fmt: skip
    assert code == 0
    assert "made after April 15, 2026: timely only if your 2025 return was extended" in out
    assert "could identify units only by a standing order" in out  # the 2025-03-01 sale came first
    assert "not a global allocation" not in out


def test_a_global_rule_written_in_2025_is_not_a_global_allocation(home, capsys):
    code, out, _ = run_cli(capsys, *NOW, "transition", "record", "--rule", "hifo",
                           "--accounts", "kraken,coinbase,ledger", "--rule-written-on", "2025-01-05")  # fmt: skip
    assert code == 0
    assert "not a global allocation: its rule must be in your books before 2025-01-01" in out


def test_a_global_rule_must_name_every_account_and_its_date(home, capsys):
    code, _, err = run_cli(
        capsys, *NOW, "transition", "record", "--rule", "hifo", "--accounts", "kraken,coinbase"
    )
    assert code == 2
    assert "the rule names no turn for ledger" in err
    assert "a global rule needs the date your books first held it (--rule-written-on)" in err
