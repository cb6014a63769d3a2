"""Properties of every layout of Koinly, CoinTracker, CoinLedger, Crypto.com, Binance.US, Cash App
and Robinhood: any valid file (any selection of a fixture's rows, repeats included, in any order)
re-imports with no change, and a file's rows in another order are the same ledger."""

from __future__ import annotations

import csv
import io
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core import fixedpoint as fp
from engine.imports.importer import FileReport, read_text
from engine.imports.registry import FORMATS as REGISTERED
from engine.ledger.events import USD
from engine.store.store import Store, keys_of
from tests.engine.imports.imported import FIXTURES, NO_OPTIONS, lots

FORMATS = (
    "koinly",
    "koinly-template",
    "cointracker",
    "cointracker-template",
    "crypto-com",
    "binance-us",
    "cash-app",
    "robinhood",
    "coinledger",
    "coinledger-template",
)
FILES = sorted(path for key in FORMATS for path in (FIXTURES / key).glob("*.csv"))


def split(path: Path) -> tuple[list[str], list[str]]:
    """(the header, the data rows) as CSV text, one record each (a quoted cell may hold a line
    break); these exports have no preamble."""
    records = [csv_line(r) for r in csv.reader(io.StringIO(path.read_text(), newline=""))]
    return records[:1], [r for r in records[1:] if r.replace('"', "").strip(",")]


def csv_line(record: list[str]) -> str:
    out = io.StringIO()
    csv.writer(out, lineterminator="", quoting=csv.QUOTE_ALL).writerow(record)
    return out.getvalue()


def read(head: list[str], rows: list[str]) -> FileReport:
    return read_text("\n".join([*head, *rows]) + "\n", "file.csv", NO_OPTIONS)


def outcome(
    report: FileReport,
) -> tuple[Counter[tuple[str, str, str, str, str]], Counter[tuple[str, str, str, str]]]:
    """Realized slices and open lots without their ids (ids number events in file order)."""
    result = lots(report.events)
    sold = Counter((r.account, r.asset, fp.fmt(r.quantity), fp.fmt(r.proceeds), fp.fmt(r.cost_basis))
                   for r in result.realized)  # fmt: skip
    held = Counter((lot.account, lot.asset, fp.fmt(lot.quantity), str(lot.basis)) for lot in result.open_lots)
    return sold, held


def test_every_format_here_has_a_fixture():
    assert {path.parent.name for path in FILES} == set(FORMATS)
    assert set(FORMATS) <= {fmt.key for fmt in REGISTERED}


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_rows_in_another_order_are_the_same_ledger(path, data):
    head, rows = split(path)
    original = read(head, rows)
    shuffled = read(head, data.draw(st.permutations(rows)))
    assert sorted(keys_of(shuffled.events)) == sorted(keys_of(original.events))
    assert shuffled.counts() == original.counts()
    assert shuffled.parsed.skipped == original.parsed.skipped
    assert outcome(shuffled) == outcome(original)


@pytest.mark.parametrize("path", FILES, ids=lambda p: f"{p.parent.name}/{p.name}")
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_any_valid_file_reimports_with_no_change(path, data):
    head, rows = split(path)
    chosen = data.draw(st.lists(st.sampled_from(rows), min_size=1, max_size=len(rows) + 3))
    report = read(head, chosen)
    keyed = keys_of(report.events)
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "s.sqlite3") as store:
        first = store.import_events(keyed, "first", frozenset({USD}))
        again = store.import_events(keys_of(read(head, chosen).events), "again", frozenset({USD}))
        assert first.added == len({key for key, _ in keyed}) == store.event_count()
        assert (again.added, again.conflicts) == (0, ())
        assert store.event_count() == first.added
