"""`harvest assets`: aliases and migrations recorded, listed, applied to the reports and undone,
end to end in-process; bad input is one line and exit 2."""

from __future__ import annotations

import json

import pytest

from tests.support import HEADER, run_cli

LEDGER = f"""{HEADER}
2023-06-01T15:00:00Z,coinbase,MATIC,buy,1000,0.80,0,B1
2024-09-04T10:00:00Z,coinbase,MATIC,sell,1000,0.38,0,S1
2024-09-04T10:00:00Z,coinbase,POL,buy,1000,0.38,0,B2
2024-10-01T15:00:00Z,coinbase,POL,sell,400,0.40,0,S2
2024-01-01T15:00:00Z,kraken,XDG,buy,1000,0.10,0,K1
2024-01-05T15:00:00Z,kraken,XDG,transfer_out,1000,,0,W1
2024-01-05T16:00:00Z,coinbase,DOGE,transfer_in,1000,,0,D1
2024-03-01T15:00:00Z,coinbase,DOGE,sell,1000,0.08,0,S3
2024-02-01T15:00:00Z,wallet,LEND,buy,100,1,0,L1
"""


@pytest.fixture
def ledger(home, capsys):  # noqa: ANN001, ANN201
    path = home / "ledger.csv"
    path.write_text(LEDGER)
    assert run_cli(capsys, "import", str(path))[0] == 0
    return path


def realized(capsys) -> list[list[str]]:  # noqa: ANN001
    code, out, _ = run_cli(capsys, "report", "realized", "--format", "csv")
    assert code == 0
    return [line.split(",") for line in out.splitlines()[1:]]


def test_the_suggested_decisions_turn_a_fake_loss_and_an_unpaired_transfer_into_the_right_gains(
    ledger, capsys
):
    rows = realized(capsys)
    assert [r[1] for r in rows] == [
        "MATIC",
        "POL",
    ]  # the fake MATIC loss; DOGE's sale left out (unknown basis)
    code, out, _ = run_cli(capsys, "assets", "list", "--suggest", "--format", "json")
    commands = [s["command"] for s in json.loads(out)["suggestions"]]
    assert commands == [
        "harvest assets alias XDG DOGE",
        "harvest assets migrate MATIC POL --out S1 --in B2",
        "harvest assets migrate LEND AAVE --ratio 0.01 --at 2020-10-02",
    ]
    code, out, _ = run_cli(capsys, "assets", "alias", "XDG", "DOGE", "--reason", "Kraken's DOGE")
    assert (code, out.splitlines()[0]) == (0, "decision 1: XDG is read as DOGE")
    code, out, _ = run_cli(capsys, "assets", "migrate", "MATIC", "POL", "--out", "S1", "--in", "B2")
    assert (code, out.splitlines()[0]) == (
        0,
        "decision 2: MATIC -> POL: S1 and B2 are one migration, not a sale and a buy",
    )
    # DOGE: the transfer pairs, K1's basis (100) is sold for 80, short-term; POL: 400 of B1's
    # 1000 at 0.80 (basis 320) for 160, long-term from the MATIC purchase on 2023-06-01
    assert realized(capsys) == [
        [
            "coinbase",
            "DOGE",
            "1000",
            "2024-01-01",
            "2024-03-01",
            "80.00",
            "100.00",
            "-20.00",
            "short",
            "K1",
            "S3",
        ],
        [
            "coinbase",
            "POL",
            "400",
            "2023-06-01",
            "2024-10-01",
            "160.00",
            "320.00",
            "-160.00",
            "long",
            "B1",
            "S2",
        ],
    ]
    code, out, _ = run_cli(capsys, "assets", "list", "--suggest")
    assert "#1  XDG is DOGE" in out
    assert "Kraken's DOGE" in out
    assert "#2  MATIC -> POL the records S1 and B2" in out
    assert "harvest assets alias XDG DOGE" not in out  # decided: no longer suggested
    assert run_cli(capsys, "assets", "undo", "2")[:2] == (0, "decision 2 undone: migration MATIC>POL\n")
    assert [r[1] for r in realized(capsys)] == ["DOGE", "MATIC", "POL"]
    code, out, _ = run_cli(capsys, "assets", "list", "--all", "--format", "json")
    (migration,) = json.loads(out)["migrations"]
    assert migration["undone_at"] is not None
    assert migration["applied"] is False


def test_a_migration_at_a_date_and_ratio(ledger, capsys):
    code, out, _ = run_cli(
        capsys, "assets", "migrate", "LEND", "AAVE", "--ratio", "0.01", "--at", "2024-06-01"
    )
    assert code == 0
    assert "every holding becomes 0.01 AAVE per unit" in out
    code, out, _ = run_cli(capsys, "report", "lots", "--format", "csv")
    lots = [line.split(",")[:5] for line in out.splitlines()[1:]]
    assert ["wallet", "AAVE", "L1", "1", "100.00"] in lots  # 100 LEND -> 1 AAVE, basis 100
    code, out, _ = run_cli(capsys, "assets", "list", "--format", "json")
    (migration,) = json.loads(out)["migrations"]
    # midnight in the tax zone (America/New_York, EDT): 04:00 UTC
    assert (migration["ratio"], migration["at"], migration["applied"]) == (
        "0.01",
        "2024-06-01T04:00:00Z",
        True,
    )


def test_wrapped_coins_may_be_aliased_but_harvest_says_what_that_means(ledger, capsys):
    code, out, _ = run_cli(capsys, "assets", "alias", "wbtc", "btc")
    assert code == 0
    assert "note: WBTC and BTC are a coin and its wrapped or staked token" in out
    assert "note: no record holds WBTC yet" in out


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["alias", "BTC", "BTC"], "BTC is already BTC"),
        (["alias", "USDC", "USD"], "ASSET: USD is the currency amounts are in, not an asset to rename"),
        (["alias", "A B", "C"], "CODE: expected an asset code like BTC, got 'A B'"),
        (["migrate", "MATIC", "POL"], "migrate: give --ratio R --at WHEN, or --out REF --in REF"),
        (["migrate", "MATIC", "POL", "--ratio", "1"], "migrate: --ratio and --at go together"),
        (["migrate", "MATIC", "POL", "--ratio", "0", "--at", "2024-09-04"], "--ratio: must be above 0"),
        (["migrate", "MATIC", "POL", "--ratio", "one", "--at", "2024-09-04"], "--ratio: expected a number"),
        (
            ["migrate", "MATIC", "POL", "--ratio", "1", "--at", "2024-13-01"],
            "--at: expected YYYY-MM-DD or an ISO",
        ),
        (["migrate", "MATIC", "POL", "--ratio", "1", "--at", "2001-01-01"], "--at: 2001-01-01 is outside"),
        (["migrate", "MATIC", "MATIC", "--ratio", "1", "--at", "2024-09-04"], "OLD and NEW are both MATIC"),
        (["migrate", "MATIC", "POL", "--out", "S1"], "migrate: --out and --in go together"),
        (["migrate", "MATIC", "POL", "--out", "S9", "--in", "B2"], "--out S9: no record has that id"),
        (
            ["migrate", "MATIC", "POL", "--out", "B2", "--in", "S1"],
            "--out B2: a buy (coinbase POL); expected one of",
        ),
        (["migrate", "MATIC", "POL", "--out", "S2", "--in", "B2"], "--out S2: a record of POL, not MATIC"),
        (
            ["migrate", "MATIC", "POL", "--convert", "S1"],
            "--convert S1: a sell of MATIC for USD; expected MATIC sold",
        ),
        (
            ["migrate", "MATIC", "POL", "--convert", "S1", "--out", "S1"],
            "migrate: give --ratio R --at WHEN, or",
        ),
        (["undo", "99"], "no decision 99 in force"),
    ],
)
def test_bad_input_is_one_line_and_exit_2(ledger, capsys, argv, message):
    code, out, err = run_cli(capsys, "assets", *argv)
    assert code == 2
    assert out == ""
    assert err.startswith(f"harvest: {message}"), err
    assert err.count("\n") == 1, err


def test_undo_keeps_to_aliases_and_migrations(ledger, capsys):
    from engine.ledger.decisions import PAIR
    from engine.store.store import open_store

    with open_store() as store:
        decision_id = store.record_decision(PAIR, "out-key", {"in": "in-key"}, "", 1)
    code, _, err = run_cli(capsys, "assets", "undo", str(decision_id))
    assert (code, err) == (
        2,
        f"harvest: decision {decision_id} is a pair, not an alias or migration (harvest review)\n",
    )


def test_a_convert_record_becomes_the_migration(home, capsys):
    path = home / "convert.csv"
    path.write_text(
        "timestamp,account,asset,side,quantity,price,fee,trade_id,quote,price_usd\n"
        "2023-06-01T15:00:00Z,coinbase,MATIC,buy,1000,0.80,0,B1,USD,\n"
        "2024-09-04T10:00:00Z,coinbase,MATIC,sell,1000,1,0,C1,POL,0.38\n"
    )
    assert run_cli(capsys, "import", str(path))[0] == 0
    code, out, _ = run_cli(capsys, "assets", "list", "--suggest", "--format", "json")
    assert [s["command"] for s in json.loads(out)["suggestions"]] == [
        "harvest assets migrate MATIC POL --convert C1"
    ]
    code, out, _ = run_cli(capsys, "assets", "migrate", "MATIC", "POL", "--convert", "C1")
    assert (code, out.splitlines()[0]) == (0, "decision 1: MATIC -> POL: C1 is a migration, not a trade")
    assert realized(capsys) == []
    code, out, _ = run_cli(capsys, "report", "lots", "--format", "csv")
    assert [line.split(",")[:5] for line in out.splitlines()[1:]] == [
        ["coinbase", "POL", "B1", "1000", "800.00"]
    ]
