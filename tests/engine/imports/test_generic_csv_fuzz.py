"""Hostile CSV input: whatever the bytes, an import either lands whole or is refused cleanly
(a CsvImportError listing FILE:LINE problems) — never a crash, never a partial batch."""

from __future__ import annotations

import string

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.core.errors import CsvImportError
from engine.imports.generic_csv import read_csv
from engine.store.store import Store, keys_of

pytestmark = pytest.mark.slow

HEADER = "timestamp,account,asset,side,quantity,price,fee,note"
SIDES = ["buy", "sell", "income", "transfer_in", "transfer_out", "spend", "BUY", "hodl", ""]
NUMBERS = st.one_of(
    st.decimals(allow_nan=False, allow_infinity=False, places=8).map(str),
    st.sampled_from(["0", "-1", "1e-8", "1E+30", "1e400", "9" * 60, "0." + "0" * 17 + "1", "0." + "0" * 18 + "1",
                     "1,000", " 2 ", "NaN", "inf", "", "1e", "--1", "0x10"]),
)  # fmt: skip
TIMES = st.sampled_from([
    "2026-01-01T00:00:00Z", "2026-01-01T00:00:00+05:30", "2026-01-01T00:00:00", "2026-13-01T00:00:00Z",
    "2099-01-01T00:00:00Z", "yesterday", "", "2026-01-01T00:00:00.123456-08:00", "0001-01-01T00:00:00Z",
])  # fmt: skip
TEXT = st.text(alphabet=string.printable + "é€\u2028", max_size=12)


def cell(value: str) -> str:
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


@st.composite
def csv_files(draw: st.DrawFn) -> bytes:
    rows = [HEADER]
    for _ in range(draw(st.integers(0, 6))):
        values = [draw(TIMES), draw(st.sampled_from(["kraken", "", "a,b"])), draw(st.sampled_from(["BTC", "eth", ""])),
                  draw(st.sampled_from(SIDES)), draw(NUMBERS), draw(NUMBERS), draw(NUMBERS), draw(TEXT)]  # fmt: skip
        rows.append(",".join(cell(v) for v in values))
    if draw(st.booleans()):
        rows.append(rows[-1])  # a duplicate row
    newline = draw(st.sampled_from(["\n", "\r\n"]))
    text = newline.join(rows) + newline
    data = text.encode(draw(st.sampled_from(["utf-8", "utf-8-sig", "latin-1", "utf-16"])), errors="replace")
    if draw(st.booleans()):
        data = draw(st.binary(max_size=40)) + data  # random bytes in front
    return data


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(csv_files())
def test_any_bytes_import_whole_or_are_refused_cleanly(tmp_path, data):
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    store_path = tmp_path / "s.sqlite3"
    store_path.unlink(missing_ok=True)
    with Store(store_path) as store:
        try:
            events = read_csv(path, now=1_795_000_000_000_000)
        except CsvImportError as exc:
            assert exc.problems  # noqa: PT017 - either outcome is legal; a refusal must be clean
            assert all(p.startswith(str(path)) for p in exc.problems)  # noqa: PT017
            assert store.event_count() == 0
            return
        summary = store.import_events(keys_of(events), "fuzz", frozenset({"USD"}))
        assert summary.added == store.event_count() == len(events)
        assert len(store.ledger().legs) >= summary.added


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes(tmp_path_factory, data):
    path = tmp_path_factory.mktemp("fuzz") / "x.csv"
    path.write_bytes(data)
    try:
        read_csv(path, "acct")
    except CsvImportError as exc:
        assert exc.problems  # noqa: PT017
