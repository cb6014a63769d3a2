"""The matcher's slices read a part at a time (engine.reports.slice_frames.SliceFrames), each part
reading only the runs over it: any part of any grouping into runs — runs cut by the part's ends,
runs of no slices anywhere (the matcher may leave them: they hold nothing) — gives the part's own
rows, and its disposals' shared fields once per run over it, cut to its slices."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.ledger.realized_slices import RealizedSlices
from engine.ledger.records import LONG, SHORT, RealizedRow
from engine.reports.slice_frames import SliceFrames


def _slices(sizes: list[int]) -> tuple[RealizedSlices, list[RealizedRow]]:
    """Runs of these sizes (0: a run of no slices), each run's slices sharing its fields."""
    slices = RealizedSlices()
    rows = []
    for number, size in enumerate(sizes):
        shared = (f"acct{number % 3}", f"A{number % 2}", 738_100 + number, f"S{number}")
        for _ in range(size):
            at = len(rows)
            row = RealizedRow(
                shared[0], shared[1], at * 10**17, 738_000 + at, shared[2], at, 2 * at, -at, (SHORT, LONG)[at % 2], f"L{at}", shared[3]
            )  # fmt: skip
            rows.append(row)
            slices.quantity.append(row.quantity)
            slices.acquired_day.append(row.acquired_day)
            slices.proceeds.append(row.proceeds)
            slices.cost_basis.append(row.cost_basis)
            slices.term.append(row.term)
            slices.lot_id.append(row.lot_id)
        slices.runs.append((size, *shared))
    return slices, rows


@settings(max_examples=300, deadline=None)
@given(st.lists(st.integers(0, 4), max_size=10), st.data(), st.integers(1, 3))
def test_a_part_reads_its_own_slices_and_the_runs_over_them(
    sizes: list[int], data: st.DataObject, read_rows: int
) -> None:
    slices, rows = _slices(sizes)
    start = data.draw(st.integers(0, len(rows)))
    stop = data.draw(st.integers(start, len(rows)))
    frames = SliceFrames(slices)
    shared = frames.shared(start, stop)
    assert all(count > 0 for count in shared["count"])
    assert sum(shared["count"]) == stop - start
    expected_runs = [row.sale_id for row in rows[start:stop]]
    assert shared["sale_id"].to_list() == list(dict.fromkeys(expected_runs))  # each disposal once, in order
    if start == stop:
        return
    for given_shared in (None, shared):
        frame = frames.read(start, stop, read_rows, given_shared)
        assert [tuple(row) for row in frame.iter_rows()] == [tuple(row) for row in rows[start:stop]]
