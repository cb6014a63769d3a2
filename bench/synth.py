"""Deterministic synthetic trade histories in harvest's CSV format, for benchmarks.

Same seed and size -> byte-identical output. Buys and sells over several accounts and assets;
a sell never exceeds what its account holds; quantities carry up to 8 decimals; fees in USD.
Prices walk ±3% a trade with a pull back toward each asset's base price, so they stay in
plausible ranges at any size (an unpulled walk drifts past $10^20 by a million trades)."""

from __future__ import annotations

import argparse
import csv
import random
import sys
from collections.abc import Iterator
from pathlib import Path

COLUMNS = ("timestamp", "account", "asset", "side", "quantity", "price", "fee", "trade_id")
ACCOUNTS = ("binance", "kraken", "coinbase", "ledger")
ASSETS = {"BTC": 30_000, "ETH": 2_000, "SOL": 100, "AVAX": 30, "LINK": 15, "DOGE": 1}
START = 1_640_995_200  # 2022-01-01T00:00:00Z


def synth_rows(trades: int, seed: int = 1) -> Iterator[tuple[str, ...]]:
    rng = random.Random(seed)
    held: dict[tuple[str, str], int] = {}  # in 1e-8 units
    price_cents = {asset: base * 100 for asset, base in ASSETS.items()}
    assets = list(ASSETS)
    step = max(1, (4 * 365 * 86_400) // max(trades, 1))
    ts = START
    for n in range(trades):
        ts += rng.randint(1, 2 * step)
        account = ACCOUNTS[rng.randrange(len(ACCOUNTS))]
        asset = assets[rng.randrange(len(assets))]
        base_cents = ASSETS[asset] * 100
        pull = 3 if price_cents[asset] < base_cents else -3  # mean-reverting around the base
        cents = price_cents[asset] = max(1, price_cents[asset] * (rng.randint(970, 1030) + pull) // 1000)
        key = (account, asset)
        have = held.get(key, 0)
        if have > 0 and rng.random() < 0.45:
            qty = have if rng.random() < 0.05 else rng.randint(1, have)
            held[key] = have - qty
            side = "sell"
        else:
            qty = rng.randint(1_000, 200_000_000)
            held[key] = have + qty
            side = "buy"
        fee_cents = rng.randint(0, 500)
        yield (
            _iso(ts),
            account,
            asset,
            side,
            _eight(qty),
            f"{cents // 100}.{cents % 100:02d}",
            f"{fee_cents // 100}.{fee_cents % 100:02d}",
            f"T{n:07d}",
        )


def _eight(units: int) -> str:
    whole, frac = divmod(units, 100_000_000)
    return f"{whole}.{frac:08d}".rstrip("0").rstrip(".")


def _iso(epoch: int) -> str:
    import time

    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(epoch))


def write_csv(path: Path, trades: int, seed: int = 1) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(COLUMNS)
        writer.writerows(synth_rows(trades, seed))
    return path


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("trades", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--profile", choices=("plain", "realistic"), default="plain",
                        help="plain: this module's buys and sells; realistic: bench/realistic.py's heavy user")  # fmt: skip
    args = parser.parse_args()
    if args.profile == "realistic":
        from bench.realistic import write_realistic_csv

        write_realistic_csv(args.out, args.trades, args.seed)
    else:
        write_csv(args.out, args.trades, args.seed)
    sys.exit(0)
