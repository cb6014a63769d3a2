"""bench/realistic.py, the heavy real user's history: deterministic by seed, in plausible price
bands, the mix it promises, and a file `harvest import` takes whole (no problem, no excluded
gain: every sell and send is covered by what its account holds)."""

from __future__ import annotations

import json
from collections import Counter
from decimal import Decimal
from pathlib import Path

import pytest

from bench.realistic import WALLETS, write_realistic_csv
from engine.core import fixedpoint as fp
from engine.imports.generic_csv import parse_csv
from tests.support import run_cli


@pytest.fixture(scope="module")
def history(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_realistic_csv(tmp_path_factory.mktemp("bench") / "realistic.csv", 4000, 7)


def test_same_seed_same_bytes_other_seed_other_bytes(history: Path, tmp_path: Path) -> None:
    assert write_realistic_csv(tmp_path / "again.csv", 4000, 7).read_bytes() == history.read_bytes()
    assert write_realistic_csv(tmp_path / "other.csv", 4000, 8).read_bytes() != history.read_bytes()
    assert len(history.read_text().splitlines()) == 4001


def test_the_mix_of_a_heavy_user(history: Path) -> None:
    events = parse_csv(history.read_text(), "realistic.csv")
    sides = Counter(e.side for e in events)
    assert {"buy", "sell", "income", "transfer_out", "transfer_in"} <= set(sides)
    assert sides["transfer_out"] == sides["transfer_in"] > 50
    sends = {e.tx_id: e for e in events if e.side == "transfer_out"}
    receipts = {e.tx_id: e for e in events if e.side == "transfer_in"}
    assert sends.keys() == receipts.keys()
    assert all(receipts[tx].account != send.account for tx, send in sends.items())
    assert any(e.account in WALLETS for e in events)
    assert sum(1 for e in events if e.fee_asset == "BNB") > 5  # fees paid in crypto
    assert 38 <= len({e.asset for e in events}) <= 88  # 8 majors and a tail of 30-80
    assert [e.timestamp for e in events] == sorted(e.timestamp for e in events)


def test_prices_and_quantities_in_plausible_ranges(history: Path) -> None:
    events = parse_csv(history.read_text(), "realistic.csv")

    def prices(asset: str) -> list[Decimal]:
        return [fp.to_decimal(e.price) for e in events if e.asset == asset and e.price is not None]

    assert all(15_000 <= p <= 110_000 for p in prices("BTC"))
    assert prices("BTC")
    assert all(p == 1 for p in prices("USDC"))
    assert all(Decimal("1e-8") <= p <= Decimal("1e-5") for p in prices("SHIB") + prices("PEPE"))
    memecoin_buys = [
        fp.to_decimal(e.quantity) for e in events if e.asset in ("SHIB", "PEPE") and e.side == "buy"
    ]
    assert memecoin_buys
    assert min(memecoin_buys) >= 10**6
    assert max(memecoin_buys) >= 10**9


def test_harvest_imports_it_whole(history: Path, tmp_path: Path, capsys, monkeypatch) -> None:  # noqa: ANN001
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
    (tmp_path / "config.yaml").write_text("tax:\n  timezone: America/New_York\n")
    monkeypatch.setenv("HARVEST_CONFIG", str(tmp_path / "config.yaml"))
    code, out, err = run_cli(capsys, "import", str(history))
    assert (code, err) == (0, "")
    assert "imported 4000 new event(s)" in out
    code, out, _ = run_cli(capsys, "report", "realized", "--format", "json")
    report = json.loads(out)
    assert code == 0
    assert len(report["rows"]) > 500
    assert report["excluded"] == []
    assert report["warnings"] == []
    code, out, _ = run_cli(capsys, "review")
    assert out.startswith("0 problems")


@pytest.mark.parametrize("rows", [1, 2, 3, 57, 4000])
def test_exactly_the_rows_asked_and_no_send_without_its_receipt(rows: int, tmp_path: Path) -> None:
    path = write_realistic_csv(tmp_path / "r.csv", rows, 7)
    sides = Counter(e.side for e in parse_csv(path.read_text(), "r.csv"))
    assert sum(sides.values()) == rows
    assert sides["transfer_out"] == sides["transfer_in"]
