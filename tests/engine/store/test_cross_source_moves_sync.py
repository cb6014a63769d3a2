"""End to end with real ccxt against the fake Binance.US on 127.0.0.1: `harvest import` of the
Binance.US tax report (the binance-us importer: a deposit, a withdrawal, the first 20 of 30 daily
staking rewards of one amount, a referral reward the API does not list), then `harvest sync` of
the same account, then a longer report: every reward and transfer is stored once, the summaries
say which source had it first, and the ledger's holdings are the exchange's balances. And the fake
Kraken's whole ledger as ledgers.csv (the kraken importer), imported before or after a sync."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from engine.imports.formats import Options
from engine.imports.importer import read_text
from engine.store.store import Store, keys_of
from tests.engine.exchanges.test_sync_binanceus import config_path, crypto
from tests.engine.exchanges.test_sync_kraken import balances as kraken_balances
from tests.engine.exchanges.test_sync_kraken import history as kraken_history
from tests.engine.exchanges.test_sync_kraken import kraken_only
from tests.engine.store.test_cross_source_moves import TAX_HEADER
from tests.loopback import LoopbackExchange
from tests.loopback import binanceus_staking as staking_fake
from tests.loopback import kraken_ledger as kraken_book
from tests.loopback.checks import held, synced
from tests.loopback.server import Transfer, Venue
from tui.cli.main import main

NOW = 1_767_225_600_000  # 2026-01-01
DAY = 86_400_000
REWARDS = 30


def history(us: Venue) -> list[staking_fake.Reward]:
    """10 SOL deposited, 8 of them staked, a reward of 0.002 SOL each day (timed to the
    millisecond), 2 SOL withdrawn (fee 0.01), and a referral reward only the balance shows."""
    us.now_ms = NOW
    us.deposits.append(
        Transfer("D1", "0x" + "d1" * 32, "SOL", Decimal(10), Decimal(0), NOW - 200 * DAY + 412)
    )
    us.move("SOL", Decimal(10))
    staking_fake.stake(us, "SOL", "8", NOW - 150 * DAY)
    rewards = [staking_fake.reward(us, "SOL", "0.002", "0.3", NOW - (100 - day) * DAY + 734, restaked=True)
               for day in range(REWARDS)]  # fmt: skip
    us.withdrawals.append(
        Transfer("W1", "0x" + "a1" * 32, "SOL", Decimal(2), Decimal("0.01"), NOW - 20 * DAY + 95)
    )
    us.move("SOL", -Decimal("2.01"))
    us.move("SOL", Decimal("0.05"))  # the referral reward: in the balance and the tax report only
    return rewards


def when(ms: int) -> str:
    """The tax report's time: UTC, cut to the second."""
    return datetime.fromtimestamp(ms // 1000, UTC).strftime("%Y-%m-%d %H:%M:%S")


def tax_report(us: Venue, rewards: list[staking_fake.Reward]) -> str:
    deposit, withdrawal = us.deposits[0], us.withdrawals[0]
    rows = [
        f"35001234,{when(deposit.ms)},Deposit,Crypto Deposit,,9001,SOL,10,1500,,,,,,,,,,,,\n",
        f"35001234,{when(withdrawal.ms)},Withdrawal,Crypto Withdrawal,,9002,SOL,2,300,,,,,,,SOL,0.01,1.5,,SOL,\n",
        f"35001234,{when(NOW - 50 * DAY)},Distribution,Referral Commission,,9003,SOL,0.05,7.5,,,,,,,,,,,,\n",
    ]
    rows += [f"35001234,{when(r.ms)},Distribution,Staking Rewards,,{8000 + n},SOL,0.002,0.3,,,,,,,,,,,,\n"
             for n, r in enumerate(rewards)]  # fmt: skip
    return TAX_HEADER + "".join(rows)


@pytest.mark.slow
def test_tax_report_then_sync_then_a_longer_report_count_each_reward_and_transfer_once(
    tmp_path, monkeypatch, capsys
):
    with LoopbackExchange() as fx:
        rewards = history(fx.binanceus)
        config = str(config_path(tmp_path, fx, monkeypatch))
        monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
        first, whole = tmp_path / "tax-report.csv", tmp_path / "tax-report-all.csv"
        first.write_text(tax_report(fx.binanceus, rewards[:20]))
        whole.write_text(tax_report(fx.binanceus, rewards))

        assert main(["--config", config, "import", str(first), "--account", "binanceus"]) == 0
        assert f"imported 23 new event(s) from {first} (0 already in the store)" in capsys.readouterr().out
        assert main(["--config", config, "sync"]) == 0
        out = capsys.readouterr().out
        assert "binanceus: 10 new record(s) of 32 fetched" in out  # 30 rewards, a deposit, a withdrawal
        assert "  22 already imported from a file (the same records: kept once)" in out
        assert "the exchange reports" not in out  # no double count: the ledger holds what the exchange does
        assert main(["--config", config, "import", str(whole), "--account", "binanceus", "--dry-run"]) == 0
        assert capsys.readouterr().out.splitlines()[-1] == (
            f"dry run: 0 new event(s) from {whole} (33 already in the store, 10 of them already synced from "
            "the exchange); nothing written"
        )
        assert main(["--config", config, "import", str(whole), "--account", "binanceus"]) == 0
        with Store(tmp_path / "home" / "harvest.sqlite3") as store:
            assert held(store) == crypto(fx.binanceus) == {"SOL": Decimal("8.1")}  # 10 - 2.01 + 0.06 + 0.05
            income = store.conn.execute("SELECT count(*) FROM events WHERE side = 'income'").fetchone()[0]
            assert income == REWARDS + 1


def ledgers_csv(kr: Venue) -> str:
    """Kraken's ledgers.csv of the fake's whole ledger (the rows its Ledgers endpoint lists)."""
    rows = kraken_book.render(kraken_book.rows(kr, {t.id: f"T{t.id:05d}" for t in kr.trades}))
    lines = []
    for r in reversed(rows):  # oldest first
        moment = datetime.fromtimestamp(r["time"], UTC).strftime("%Y-%m-%d %H:%M:%S.%f")[
            :-2
        ]  # Kraken's 4 places
        lines.append(f'"{r["id"]}","{r["refid"]}","{moment}","{r["type"]}","{r["subtype"]}","currency",'
                     f'"{r["asset"]}",{r["amount"]},{r["fee"]},{r["balance"]}\n')  # fmt: skip
    return '"txid","refid","time","type","subtype","aclass","asset","amount","fee","balance"\n' + "".join(
        lines
    )


def sides(store: Store) -> dict[str, int]:
    return dict(store.conn.execute("SELECT side, count(*) FROM events GROUP BY side").fetchall())


@pytest.mark.slow
def test_kraken_ledgers_and_sync_in_either_order_store_what_sync_alone_does(tmp_path, monkeypatch):
    """The whole ledger of the fake Kraken (trades, deposits, a withdrawal with its fee, staking and
    Earn rewards, allocations, instant buys) imported from ledgers.csv and synced, in either order:
    the records a sync alone stores, each once, and lots equal to the balances."""
    with LoopbackExchange() as fx:
        kraken_history(fx.kraken)
        config = kraken_only(tmp_path, fx, monkeypatch)
        report = read_text(ledgers_csv(fx.kraken), "ledgers.csv", Options(None, None, None))
        alone = Store(tmp_path / "alone.sqlite3")
        synced(config, alone)
        for order in ("file first", "sync first"):
            store = Store(tmp_path / f"{order}.sqlite3")
            if order == "sync first":
                synced(config, store)
            imported = store.import_events(keys_of(report.events), "kraken:ledgers.csv", frozenset({"USD"}))
            if order == "file first":
                after = synced(config, store)
                # each transfer is read twice by the sync (its history, then the ledger's row)
                assert (after.added, after.from_files) == (0, imported.added + 3)
            else:
                assert (imported.added, imported.other_source) == (0, imported.rows)
            assert sides(store) == sides(alone)
            assert held(store) == kraken_balances(fx.kraken)
