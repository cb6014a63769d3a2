"""Time transfer matching: pairing N transfer legs (N/2 sends and their receipts) by the rules
of engine.ledger.transfers, and the whole lot match over them.

    uv run python bench/bench_matching.py 100000 [--runs 5]

The transfers go from two exchanges to two other accounts, in 5 assets over 5 years: a third carry
the same hash on both sides, a tenth name the receiving account, the rest pair by the window
rule (received 0-40 minutes later, a fee of up to 0.5% taken on the way), and 1% come as two
identical sends minutes apart (ambiguous: never paired). Each run builds the legs afresh and
times `pairing` (the rules), then `match_lots` over the same ledger with a buy funding each send
(pairing included). Medians and ranges over the runs, the collector paused as in Engine.lots;
then the reference loop `sum(range(10**7))`, to tell a slow machine from slow code."""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.result import emit, metric  # noqa: E402
from engine.core import fixedpoint as fp  # noqa: E402
from engine.core.collector import paused_gc  # noqa: E402
from engine.core.units import Amount, EpochMicros  # noqa: E402
from engine.ledger.events import Event  # noqa: E402
from engine.ledger.legs import MOVE_IN, MOVE_OUT, build_ledger  # noqa: E402
from engine.ledger.lots import match_lots  # noqa: E402
from engine.ledger.records import Ledger  # noqa: E402
from engine.ledger.transfers import LIKELY, MoveLeg, pairing  # noqa: E402

SOURCES = ("coinbase", "gemini")  # where coins are bought and sent from ...
SINKS = ("kraken", "ledger")  # ... and where they arrive
ASSETS = ("BTC", "ETH", "SOL", "USDC", "DOGE")
START = 1_609_459_200_000_000  # 2021-01-01
SPAN = 5 * 365 * 86_400_000_000
MINUTE = 60_000_000


def events(transfers: int, seed: int) -> list[Event]:
    """A buy funding each send (a day before it), the send and its receipt; 1% of the sends have
    a twin minutes later (funded too) that nothing receives."""
    rng = random.Random(seed)
    made: list[Event] = []
    for index in range(transfers):
        source, target = rng.choice(SOURCES), rng.choice(SINKS)
        asset = rng.choice(ASSETS)
        at = START + rng.randrange(SPAN)
        sent = rng.randrange(10**6, 10**9) * 10**10
        received = sent - sent * rng.randrange(0, 50) // 10_000
        roll = rng.random()
        tx = f"0x{index:064x}" if roll < 0.33 else None
        counterpart = target if 0.33 <= roll < 0.43 else None
        made.append(Event(source, asset, "buy", EpochMicros(at - 86_400_000_000), Amount(sent), fp.parse("100"),
                          Amount(0), trade_id=f"B{index}"))  # fmt: skip
        made.append(Event(source, asset, "transfer_out", EpochMicros(at), Amount(sent), None, Amount(0),
                          trade_id=f"W{index}", tx_id=tx, counterpart_account=counterpart))  # fmt: skip
        late = EpochMicros(at + rng.randrange(0, 40 * MINUTE))
        if rng.random() < 0.01:  # a twin send, minutes later: its receipt is ambiguous
            made.append(Event(source, asset, "buy", EpochMicros(at - 86_400_000_000), Amount(sent), fp.parse("100"),
                              Amount(0), trade_id=f"C{index}"))  # fmt: skip
            made.append(Event(source, asset, "transfer_out", EpochMicros(at + 5 * MINUTE), Amount(sent), None,
                              Amount(0), trade_id=f"X{index}"))  # fmt: skip
        made.append(Event(target, asset, "transfer_in", late, Amount(received), None, Amount(0),
                          trade_id=f"D{index}", tx_id=tx))  # fmt: skip
    made.sort(key=lambda e: e.timestamp)
    return made


def move_legs(ledger: Ledger) -> list[MoveLeg]:
    moves = []
    for index, (pool_id, kind, ts, quantity, _usd, ref, extra) in enumerate(ledger.legs):
        if kind in (MOVE_OUT, MOVE_IN):
            account, asset = ledger.pools[pool_id]
            moves.append(MoveLeg(index, account, asset, kind, ts, Amount(int(quantity)),
                                 extra.counterpart if extra else None, extra.tx_id if extra else None, ref))  # fmt: skip
    return moves


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("legs", type=int, nargs="?", default=100_000, help="transfer legs (sends + receipts)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    transfers = args.legs // 2
    ledger = build_ledger(events(transfers, args.seed))
    pairing_s: list[float] = []
    matching_s: list[float] = []
    for _ in range(args.runs):
        with paused_gc():
            moves = move_legs(ledger)
            started = time.perf_counter()
            result = pairing(moves, [])
            paired = time.perf_counter()
            lots = match_lots(ledger, "fifo")
            matched = time.perf_counter()
        pairing_s.append(paired - started)
        matching_s.append(matched - paired)
    likely = sum(1 for how in result.confidence.values() if how == LIKELY)
    print(
        f"{transfers:,} transfers ({len(moves):,} transfer legs, {len(ledger.legs):,} legs): "
        f"{len(result.confidence):,} paired ({likely:,} by the window rule), "
        f"{len(lots.open_lots):,} open lots"
    )
    for name, seconds in (("pairing", pairing_s), ("match_lots (pairing included)", matching_s)):
        print(f"{name}: median {statistics.median(seconds):.3f} s ({min(seconds):.3f}-{max(seconds):.3f}), "
              f"{args.runs} runs")  # fmt: skip
    started = time.perf_counter()
    sum(range(10**7))
    reference = time.perf_counter() - started
    print(f"reference loop sum(range(10**7)): {reference:.2f} s")
    emit("matching", {"pairing_s": metric(pairing_s, "s"), "match_lots_s": metric(matching_s, "s"),
                      "reference_loop_s": metric([reference], "s")})  # fmt: skip


if __name__ == "__main__":
    main()
