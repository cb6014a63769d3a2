"""The realized CSV's reference writer (the row-by-row writer as it stood before the CSV was built
in columns) and the generated rows both test modules hold today's writers to
(test_realized_csv_exact.py: the two paths' bytes; test_realized_csv_parts.py: the matcher's columns
written in parts)."""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from datetime import date

from hypothesis import strategies as st

from engine.ledger.realized_slices import RealizedSlices
from engine.ledger.records import LONG, SHORT, RealizedRow
from engine.reports import ledger_reports
from engine.reports.csv_output import spreadsheet_safe

BIG = 10**15 * 10**18  # 10^15 units (or dollars) in units of 10^-18


def reference_fmt(units: int, min_places: int = 2) -> str:
    """engine.core.fixedpoint.fmt as it stood."""
    sign = "-" if units < 0 else ""
    whole, frac = divmod(abs(units), 10**18)
    frac_text = f"{frac:018d}".rstrip("0")
    if len(frac_text) < min_places:
        frac_text = frac_text.ljust(min_places, "0")
    return f"{sign}{whole}.{frac_text}" if frac_text else f"{sign}{whole}"


def reference_realized_csv(rows: Sequence[RealizedRow]) -> str:
    """ledger_reports.realized_csv as it stood (one Python row at a time through csv.writer)."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(ledger_reports.REALIZED_COLUMNS)
    for r in rows:
        day = date.fromordinal
        record = [
            r.account,
            r.asset,
            reference_fmt(r.quantity, 0),
            day(r.acquired_day).isoformat(),
            day(r.sold_day).isoformat(),
            reference_fmt(r.proceeds),
            reference_fmt(r.cost_basis),
            reference_fmt(r.gain),
            r.term,
            r.lot_id,
            r.sale_id,
        ]
        writer.writerow([spreadsheet_safe(cell) for cell in record])
    return buffer.getvalue()


# the columnar writer's limits: below DECIMAL_LIMIT in magnitude an amount fits Decimal(38, 18);
# past Int128 polars cannot hold it; either way the part goes through the row writer
DECIMAL_LIMIT = 10**38
INT128 = 2**127
past_fast = st.sampled_from(
    [
        DECIMAL_LIMIT - 1,
        1 - DECIMAL_LIMIT,
        DECIMAL_LIMIT,
        -DECIMAL_LIMIT,
        INT128 - 1,
        -INT128,
        INT128,
        -INT128 - 1,
    ]
)
amount_units = st.one_of(
    st.integers(-BIG, BIG),  # anything up to 10^15 with 18 places
    st.integers(-(10**6), 10**6),  # tiny fractions: 10^-18 and neighbours
    st.integers(-(10**15), 10**15).map(lambda n: n * 10**16),  # whole cents
    st.integers(-(10**15), 10**15).map(lambda n: n * 10**18),  # whole units
    st.integers(-(10**9), 10**9).map(lambda n: n * 10**10),  # 8 decimals, as exchanges give
    st.sampled_from([0, 1, -1, BIG, -BIG, BIG - 1, 10**18 - 1, 5 * 10**15, -5 * 10**15]),
    st.integers(-(10**15), 10**15).map(lambda n: n * 10**18 + 1),  # 18 fraction digits, ending in 1
)
cell_texts = st.one_of(
    st.sampled_from(["", "binance", "BTC", "T-1", "-1.5", "+3", "1e-8", "=SUM(A1)", "@x", "\tx", "\rx"]),
    st.text(alphabet=st.sampled_from('aZ9 ,"\n\r=+-@\t.é'), min_size=1, max_size=6),
)
day_ordinals = st.integers(date(1, 1, 1).toordinal(), date(9999, 12, 31).toordinal())


def rows_with(
    units: st.SearchStrategy[int], texts: st.SearchStrategy[str] = cell_texts
) -> st.SearchStrategy[RealizedRow]:
    """Realized rows whose amounts are drawn from `units` and whose text cells from `texts`."""
    return st.builds(
        RealizedRow,
        account=texts,
        asset=texts,
        quantity=units,
        acquired_day=day_ordinals,
        sold_day=day_ordinals,
        proceeds=units,
        cost_basis=units,
        gain=units,
        term=st.sampled_from([SHORT, LONG]),
        lot_id=texts,
        sale_id=texts,
    )


generated_rows = rows_with(amount_units)
# now and then an amount the columnar path hands to the row writer
generated_rows_any_size = rows_with(
    st.one_of(amount_units, amount_units, amount_units, past_fast, st.integers(-(2**130), 2**130))
)


def slices_in_runs(rows: list[RealizedRow], cuts: list[int]) -> RealizedSlices:
    """The matcher's columns with disposals of several slices: rows grouped into runs at `cuts`
    (each run's shared fields those of its first row), as engine.ledger.lots emits them."""
    slices = RealizedSlices()
    for row in rows:
        slices.add(row)  # a run each, regrouped below
    bounds = sorted({0, len(rows), *(cut % (len(rows) + 1) for cut in cuts)})
    slices.runs = [
        (end - start, *slices.runs[start][1:]) for start, end in zip(bounds, bounds[1:], strict=False)
    ]
    return slices


def rows_of_slices(slices: RealizedSlices) -> list[RealizedRow]:
    """The slices' rows, spread from the runs by hand (the reference for the gathered columns)."""
    rows = []
    at = 0
    for count, account, asset, sold_day, sale_id in slices.runs:
        for i in range(at, at + count):
            proceeds, basis = slices.proceeds[i], slices.cost_basis[i]
            rows.append(
                RealizedRow(account, asset, slices.quantity[i], slices.acquired_day[i], sold_day, proceeds, basis,
                            proceeds - basis, slices.term[i], slices.lot_id[i], sale_id)
            )  # fmt: skip
        at += count
    return rows
