"""Probe: FIFO over the ledger's plain legs in columns (polars), against the match's loop.

    uv run python bench/probe_fifo_columns.py [TRADES] [--rounds N]

Measured and dropped (docs/performance.md: *The FIFO match in columns, measured and dropped*):
a prototype of issue 18's "no Python object per acquisition or slice" match, kept so the
figures can be re-measured. It takes bench_core's store (every leg plain, one pool per account
and asset), loads the legs, then in one process, the collector paused, alternates the match's
loop (`match_lots`, fifo) and the prototype N rounds each (CPU and wall), checks the prototype's
slices equal the loop's (quantity, acquired day, proceeds, basis, term, lot id, runs), and
prints the prototype's phases once. Open lots and shortfalls are not built (the bench store
has 111 open lots and no shortfall): it is a measurement, not a matcher.

The rules are the loop's (engine.ledger.lot_taking): lot i covers [E_{i-1}, E_i) of its pool's
cumulative acquired quantity, disposal j takes [T_{j-1}, T_j) with T_j = S_j + min(0,
min_{k<=j}(A_k - S_k)) (S: disposed so far, A: acquired before it), the slices are the
intervals between the merged boundaries; a lot taken whole in one slice takes its basis, a
disposal in one slice its proceeds, and the slices of a split lot or of a disposal over several
lots take the sequential floor shares (basis left * part // quantity left), in Python ints."""

from __future__ import annotations

import argparse
import statistics
import sys
import time
from bisect import bisect_left
from collections.abc import Callable, Sequence
from itertools import chain, repeat
from operator import gt, itemgetter
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import polars as pl  # noqa: E402

from bench.bench_core import prepared_store  # noqa: E402
from engine.api import Engine  # noqa: E402
from engine.config.load import Config, TaxConfig  # noqa: E402
from engine.core.collector import paused_gc  # noqa: E402
from engine.core.dates import anniversary, day_spans  # noqa: E402
from engine.ledger.legs import ACQUIRE  # noqa: E402
from engine.ledger.lot_matcher import Matcher  # noqa: E402
from engine.ledger.lots import match_lots  # noqa: E402
from engine.ledger.records import LONG, SHORT, LegRow  # noqa: E402
from engine.store.store import Store  # noqa: E402

_pool, _kind, _time, _qty, _usd, _ref = (itemgetter(i) for i in range(6))
_TERMS = (SHORT, LONG)
FIELDS = ("quantity", "acquired_day", "proceeds", "cost_basis", "term", "lot_id", "runs")


def fifo_columns(
    matcher: Matcher, legs: Sequence[LegRow], lap: Callable[[str], None]
) -> dict[str, list[Any]]:
    """Every leg plain (the bench store): the realized slices' columns in processing order."""
    qty = list(map(int, map(_qty, legs)))
    quantities = pl.Series(qty, dtype=pl.Int128)
    pool_ids = list(map(_pool, legs))
    usd = list(map(int, map(_usd, legs)))
    refs = list(map(_ref, legs))
    days = _days(matcher, list(map(_time, legs)))
    lap("legs to columns, values to ints, tax dates")
    zero = pl.lit(0, dtype=pl.Int128)
    acq, q, g = pl.col("acq"), pl.col("q"), pl.col("g")
    # pool-major (each pool's legs in order): one axis for all pools' lots, pool after pool
    frame = (
        pl.DataFrame(
            {
                "g": pool_ids,
                "acq": pl.Series(list(map(_kind, legs)), dtype=pl.Int8) == ACQUIRE,
                "q": quantities,
            },
            schema={"g": pl.UInt32, "acq": pl.Boolean, "q": pl.Int128},
        )
        .with_row_index("leg")
        .sort("g", maintain_order=True)
        .with_columns(
            axis=pl.when(acq).then(q).otherwise(zero).cum_sum(),  # acquired so far, all pools
            a=pl.when(acq).then(q).otherwise(zero).cum_sum().over(g),  # acquired so far, this pool
            s=pl.when(acq).then(zero).otherwise(q).cum_sum().over(g),  # disposed so far, this pool
        )
    )
    lots = frame.filter(acq).select("leg", "q", end="axis")
    taking = (
        frame.filter(~acq)
        .with_columns(t=pl.col("s") + pl.min_horizontal((pl.col("a") - pl.col("s")).cum_min().over(g), zero))
        .with_columns(taken=pl.col("t") - pl.col("t").shift(1, fill_value=zero).over(g))
        .with_columns(till=pl.col("axis") - pl.col("a") + pl.col("t"))  # where it stops on the axis
        .filter(pl.col("taken") > 0)
        .with_columns(since=pl.col("till") - pl.col("taken"))
    )
    ends = lots["end"]
    first = ends.search_sorted(taking["since"], side="right")
    last = ends.search_sorted(taking["till"], side="left")
    slices = (
        taking.select("leg", "q", "since", "till")
        .with_columns(k=pl.int_ranges(first, last + 1, dtype=pl.UInt32))
        .explode("k")
        .sort("leg", maintain_order=True)  # processing order: by disposal, then lot order
    )
    k = slices["k"]
    lot_end, lot_q = ends.gather(k), lots["q"].gather(k)
    stop = slices["till"].zip_with(slices["till"] < lot_end, lot_end)
    begin = lot_end - lot_q
    part = stop - slices["since"].zip_with(slices["since"] > begin, begin)
    lap("the slices (polars: cumulative sums, searches, explode, sort)")
    lot_legs = lots["leg"].gather(k).to_list()
    disp_legs = slices["leg"]
    parts = part.to_list()
    basis = list(map(usd.__getitem__, lot_legs))
    proceeds = list(map(usd.__getitem__, disp_legs.to_list()))
    lap("parts to ints, whole bases and proceeds")
    split = pl.DataFrame({"k": k, "ends": stop == lot_end}).with_row_index("at").filter(part != lot_q)
    split = split.sort("k", maintain_order=True)
    _split_lots(split["at"].to_list(), split["k"].to_list(), split["ends"].to_list(), parts, basis,
                lots["leg"].to_list(), usd, qty)  # fmt: skip
    shared = (part != slices["q"]).arg_true()
    _shared_proceeds(shared.to_list(), disp_legs.gather(shared).to_list(), parts, proceeds, usd, qty)
    lap("split lots' bases, shared proceeds (Python ints)")
    acquired = list(map(days.__getitem__, lot_legs))
    runs = disp_legs.rle()
    counts = runs.struct.field("len").to_list()
    run_legs = runs.struct.field("value").to_list()
    sold = list(chain.from_iterable(map(repeat, map(days.__getitem__, run_legs), counts)))
    limits = {day: anniversary(day) for day in set(acquired)}
    names = matcher.names
    run_pools = list(map(pool_ids.__getitem__, run_legs))
    columns = {
        "quantity": parts,
        "acquired_day": acquired,
        "proceeds": proceeds,
        "cost_basis": basis,
        "term": list(map(_TERMS.__getitem__, map(gt, sold, map(limits.__getitem__, acquired)))),
        "lot_id": list(map(refs.__getitem__, lot_legs)),
        "runs": list(
            zip(
                counts,
                (names[pool][0] for pool in run_pools),
                (names[pool][1] for pool in run_pools),
                map(days.__getitem__, run_legs),
                map(refs.__getitem__, run_legs),
                strict=True,
            )
        ),
    }
    lap("the other columns and runs")
    return columns


def _split_lots(
    ats: list[int], ks: list[int], ends: list[bool], parts: list[int], basis: list[int],
    lot_legs: list[int], usd: list[int], qty: list[int],
) -> None:  # fmt: skip
    """The basis of each slice of a lot split over several, in lot order, in place."""
    current, basis_left, qty_left = -1, 0, 0
    for at, k, last in zip(ats, ks, ends, strict=True):
        if k != current:
            leg = lot_legs[k]
            current, basis_left, qty_left = k, usd[leg], qty[leg]
        if last:
            basis[at] = basis_left
            continue
        part = parts[at]
        taken = basis_left * part // qty_left
        basis[at] = taken
        basis_left -= taken
        qty_left -= part


def _shared_proceeds(
    ats: list[int], disps: list[int], parts: list[int], proceeds: list[int], usd: list[int], qty: list[int]
) -> None:
    """The proceeds of each slice of a disposal over several lots, in place."""
    current, money_left, qty_left = -1, 0, 0
    for at, disp in zip(ats, disps, strict=True):
        if disp != current:
            current, money_left, qty_left = disp, usd[disp], qty[disp]
        part = parts[at]
        portion = money_left if part == qty_left else money_left * part // qty_left
        proceeds[at] = portion
        money_left -= portion
        qty_left -= part


def _days(matcher: Matcher, times: list[int]) -> list[int]:
    """Each time's tax date, as the loop finds them (a stretch of times known to share one)."""
    span = day_spans(matcher.day)
    values: list[int] = []
    counts: list[int] = []
    at, count = 0, len(times)
    while at < count:
        today, _start, end = span(times[at])
        after = bisect_left(times, end, at)
        values.append(today)
        counts.append(after - at)
        at = after
    return list(chain.from_iterable(map(repeat, values, counts)))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("trades", type=int, nargs="?", default=1_000_000)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    engine = Engine(Config(tax=TaxConfig(timezone="America/New_York")), Store(prepared_store(args.trades, 1)))
    samples: dict[str, list[tuple[float, float]]] = {"loop": [], "columns": []}
    quiet = lambda _name: None  # noqa: E731
    with paused_gc():
        ledger = engine.store.ledger()
        day = engine.calendar.day_function()
        for _round in range(args.rounds):
            for name in samples:
                cpu, wall = time.process_time(), time.perf_counter()
                if name == "loop":
                    match_lots(ledger, "fifo", False, day)
                else:
                    fifo_columns(Matcher(ledger, "fifo", False, day), ledger.legs, quiet)
                samples[name].append((time.process_time() - cpu, time.perf_counter() - wall))
                load = Path("/proc/loadavg").read_text().split()[0]
                print(
                    f"{name}: CPU {samples[name][-1][0]:.2f} s, wall {samples[name][-1][1]:.2f} s (load {load})"
                )
        marks = [time.process_time()]

        def lap(phase: str) -> None:
            marks.append(time.process_time())
            print(f"  {phase}: {marks[-1] - marks[-2]:.2f} s CPU")

        print("the prototype's phases:")
        columns = fifo_columns(Matcher(ledger, "fifo", False, day), ledger.legs, lap)
        slices = match_lots(ledger, "fifo", False, day).realized
        same = all(getattr(slices, field) == columns[field] for field in FIELDS)
        print(f"slices {len(columns['quantity']):,}, the loop's to the last field: {same}")
    for name, runs in samples.items():
        cpu = [run[0] for run in runs]
        wall = [run[1] for run in runs]
        print(
            f"{name}: CPU median {statistics.median(cpu):.2f} s ({min(cpu):.2f}-{max(cpu):.2f}), "
            f"wall median {statistics.median(wall):.2f} s ({min(wall):.2f}-{max(wall):.2f})"
        )


if __name__ == "__main__":
    main()
