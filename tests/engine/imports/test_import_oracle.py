"""The fast import against the oracle: harvest's reading and store write as they were before the
speed work (tests/oracle, frozen copies). On the bench files and on generated files — valid and
with cells broken on purpose — both must read the same events, lines, kinds, skips, notes and
problems (the same FILE:LINE: column: problem lines), and write the same store, row for row:
events, legs (values and their SQLite types), pools and batches, including a second import that
meets duplicates and records reused with other values."""

from __future__ import annotations

import csv
import io
import sqlite3
import tempfile
from collections.abc import Callable
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bench.bench_import import write_coinbase, write_kraken
from bench.synth import write_csv
from engine.core.errors import CsvImportError
from engine.imports import columnar
from engine.imports.formats import Options
from engine.imports.importer import FileReport, read_text
from engine.store.store import Store, keys_of
from tests.engine.imports.test_import_properties import coinbase_file, coinbase_rows, kraken_file, kraken_rows
from tests.oracle import importer as oracle_importer
from tests.oracle import ledger_tables as oracle_tables

USD_ONLY = frozenset({"USD"})


@pytest.fixture(autouse=True)
def row_path_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """These tests check the row path; test_columnar_oracle.py checks the columnar one."""
    monkeypatch.setattr(columnar, "COLUMNAR_MIN_LINES", 10**12)


WITH_USDC = frozenset({"USD", "USDC"})
LATEST = 1_893_456_000_000_000  # 2030-01-01: a clock for the future-date check
Outcome = tuple[str, object]


def read_outcome(
    read: Callable[..., FileReport], text: str, options: Options
) -> tuple[Outcome, FileReport | None]:
    """What a reader made of a file: its whole report, or the problems it refused it with."""
    try:
        report = read(text, "f.csv", options)
    except CsvImportError as exc:
        return ("refused", (exc.path, exc.problems)), None
    parsed = report.parsed
    summary = (report.format.key, report.version, report.account, parsed.events, parsed.lines, parsed.kinds,
               dict(parsed.skipped), parsed.notes, parsed.problems, report.counts(), report.fees(),
               report.unclassified(), report.needs_price())  # fmt: skip
    return ("read", summary), report


def dump(conn: sqlite3.Connection) -> dict[str, list[tuple[object, ...]]]:
    """Every row an import writes (a batch's clock time aside), in a fixed order, with types."""
    return {
        "events": conn.execute("SELECT * FROM events ORDER BY id").fetchall(),
        "legs": conn.execute(
            "SELECT *, has_extra, typeof(quantity), typeof(usd) FROM legs ORDER BY ts, event_id, seq"
        ).fetchall(),
        "pools": conn.execute("SELECT * FROM pools ORDER BY id").fetchall(),
        "batches": conn.execute("SELECT id, source, rows, added FROM batches ORDER BY id").fetchall(),
    }


def stores_written(texts: list[str], options: Options, usd: frozenset[str]) -> tuple[object, object]:
    """The files imported one after another into a fresh store by the oracle and by harvest:
    (what each import said, what the store holds) for both."""
    said: dict[str, list[object]] = {"oracle": [], "fast": []}
    held = {}
    with tempfile.TemporaryDirectory() as home:
        for who in ("oracle", "fast"):
            with Store(Path(home) / f"{who}.sqlite3") as store:
                for number, text in enumerate(texts):
                    if who == "oracle":
                        events = oracle_importer.read_text(text, "f.csv", options).events
                        summary = oracle_tables.import_events(
                            store.conn, store.path, oracle_tables.keys_of(events), f"s{number}", usd
                        )
                    else:
                        events = read_text(text, "f.csv", options).events
                        summary = store.import_events(keys_of(events), f"s{number}", usd)  # type: ignore[assignment]
                    said[who].append((summary.batch_id, summary.rows, summary.added, summary.conflicts))
                held[who] = dump(store.conn)
                assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    return (said["oracle"], held["oracle"]), (said["fast"], held["fast"])


def assert_same(texts: list[str], options: Options, usd: frozenset[str] = USD_ONLY) -> None:
    """Both read every file alike; when all are read, both write the same store."""
    readable = []
    for text in texts:
        oracle, _ = read_outcome(oracle_importer.read_text, text, options)
        fast, _ = read_outcome(read_text, text, options)
        assert fast == oracle
        if oracle[0] == "read":
            readable.append(text)
    if readable:
        oracle_store, fast_store = stores_written(readable, options, usd)
        assert fast_store == oracle_store


# -- the bench files --------------------------------------------------------------------------


@pytest.mark.parametrize("write", [write_coinbase, write_kraken], ids=["coinbase", "kraken"])
def test_the_bench_exports_import_as_the_oracle_does(tmp_path, write):
    path = tmp_path / "export.csv"
    write(path, 3_000)
    text = path.read_text()
    assert_same([text, text], Options(None, None, None))  # the second import: all duplicates


def test_the_bench_harvest_csv_imports_as_the_oracle_does(tmp_path):
    path = tmp_path / "trades.csv"
    write_csv(path, 3_000, 1)
    assert_same([path.read_text()], Options(None, None, None))


@pytest.mark.slow
@pytest.mark.parametrize("name", ["coinbase", "kraken", "harvest"])
def test_the_bench_files_at_size_import_as_the_oracle_does(tmp_path, name):
    # 30,000 rows: every kind of row and repeat the 100,000-row bench files hold, in a third of
    # the time (test_columnar_oracle checks the 100,000-row files through the path they take)
    path = tmp_path / "bench.csv"
    {"coinbase": write_coinbase, "kraken": write_kraken}.get(name, lambda p, n: write_csv(p, n, 1))(
        path, 30_000
    )
    assert_same([path.read_text()], Options(None, None, None))


# -- generated files --------------------------------------------------------------------------

# what a careless export or a hand edit puts in a cell: blanks, words, odd money and dates
NASTY = st.sampled_from([
    "", " ", "abc", "-", "$", "$1,23", "1,234.5", "(5.00)", "$-5.00", "-$0.01", "€3", "12.50 USD", "1e-8", "1e400",
    "9" * 40, "0." + "0" * 18 + "1", "0", "-0.0", "+7", " 7 ", "1_000", "٣", "2025-13-01 00:00:00 UTC",
    "2008-01-01 00:00:00", "2099-01-01T00:00:00Z", "01/02/2024 10:00", "2024-03-05 14:22:10 EST", "BTC", "buy",
    "Convert", "Converted 1 BTC to", "USD", "XXBT", "trade", "transfer_out", "L1:0.5", "x:y",
])  # fmt: skip


@st.composite
def broken(draw: st.DrawFn, text: str) -> str:
    """The file with a few cells replaced (rows past the header only, quoting kept valid)."""
    newline = "\r\n" if "\r\n" in text else "\n"
    rows = list(csv.reader(io.StringIO(text, newline="")))
    start = next(i for i, row in enumerate(rows) if len(row) > 5) + 1  # after the header
    for _ in range(draw(st.integers(1, 3))):
        if start >= len(rows):
            break
        row = rows[draw(st.integers(start, len(rows) - 1))]
        if row:
            row[draw(st.integers(0, len(row) - 1))] = draw(NASTY)
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator=newline).writerows(rows)
    return out.getvalue()


HARVEST_OPTIONAL = ["account", "quote", "fee_asset", "price_usd", "fee_usd", "trade_id", "tx_id", "address",
                    "note", "counterpart_account", "lots", "subtotal", "total"]  # fmt: skip
AMOUNTS = st.decimals(min_value="0", max_value="90000", places=8).map(lambda d: f"{d:f}")


@st.composite
def harvest_files(draw: st.DrawFn) -> str:
    """harvest CSV with any subset of the optional columns, values mostly valid."""
    extra = draw(st.lists(st.sampled_from(HARVEST_OPTIONAL), unique=True))
    header = ["timestamp", "asset", "side", "quantity", "price", "fee", *extra]
    rows = []
    for n in range(draw(st.integers(1, 15))):
        side = draw(st.sampled_from(["buy", "sell", "income", "transfer_in", "transfer_out", "spend"]))
        values = {
            "timestamp": draw(
                st.sampled_from(
                    [
                        "2024-01-02T03:04:05Z",
                        "2024-06-01T12:00:00+02:00",
                        "2023-11-05 01:30:00",
                        "2025-02-03T04:05:06.789Z",
                    ]
                )
            ),  # fmt: skip
            "asset": draw(st.sampled_from(["BTC", "eth", "SOL"])),
            "side": side,
            "quantity": draw(AMOUNTS),
            "price": draw(st.one_of(AMOUNTS, st.just(""))),
            "fee": draw(st.sampled_from(["0", "1.5", "0.0001"])),
            "account": draw(st.sampled_from(["kraken", "ledger", ""])),
            "quote": draw(st.sampled_from(["", "USD", "ETH", "USDC"])),
            "fee_asset": draw(st.sampled_from(["", "USD", "BTC", "ETH"])),
            "price_usd": draw(st.one_of(AMOUNTS, st.just(""))),
            "fee_usd": draw(st.sampled_from(["", "0.5"])),
            "trade_id": draw(st.sampled_from(["", f"T{n}", "T0"])),
            "tx_id": draw(st.sampled_from(["", f"0xtx{n}"])),
            "address": draw(st.sampled_from(["", "bc1qaddr"])),
            "note": draw(st.sampled_from(["", "a note", "x,y"])),
            "counterpart_account": draw(st.sampled_from(["", "ledger"])),
            "lots": draw(st.sampled_from(["", "T0:0.1"])) if side in ("sell", "spend") else "",
            "subtotal": draw(st.one_of(AMOUNTS, st.just(""))),
            "total": draw(st.one_of(AMOUNTS, st.just(""))),
        }
        rows.append([values[name] for name in header])
        if draw(st.integers(0, 9)) == 0:
            rows.append(rows[-1])  # a real repeated fill
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\n").writerows([header, *rows])
    return out.getvalue()


FILES = {"coinbase": coinbase_rows().map(coinbase_file), "kraken": kraken_rows().map(kraken_file),
         "harvest": harvest_files()}  # fmt: skip
OPTIONS = st.builds(
    Options,
    st.sampled_from([None, "acct"]),
    st.sampled_from([None, ZoneInfo("America/New_York")]),
    st.sampled_from([None, LATEST]),
)
SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FILES))
def test_generated_files_import_as_the_oracle_does(name):
    @SETTINGS
    @given(FILES[name], FILES[name], OPTIONS, st.sampled_from([USD_ONLY, WITH_USDC]))
    def check(first: str, second: str, options: Options, usd: frozenset[str]) -> None:
        assert_same([first, second, first], options, usd)

    check()


@pytest.mark.slow
@pytest.mark.parametrize("name", list(FILES))
def test_files_with_broken_cells_are_read_as_the_oracle_reads_them(name):
    @SETTINGS
    @given(FILES[name].flatmap(broken), OPTIONS)
    def check(text: str, options: Options) -> None:
        assert_same([text], options)

    check()


# -- one cell ---------------------------------------------------------------------------------

CELL_TEXT = st.text(alphabet="0123456789$-+,.() eE€_USDabc٣", max_size=14) | st.sampled_from(
    ["$1,234.56", "-$400.46", "$-5.00", "-$-5", "1,23", "1,234.", "5.", ".5", "-.5", "(5.00)", "12.50 USD",
     "0." + "0" * 18 + "1", "1" + "0" * 40, "$9,999,999,999,999,999.99"]
)  # fmt: skip


@settings(max_examples=400, deadline=None)
@given(CELL_TEXT, st.booleans(), st.booleans(), st.booleans())
def test_a_cell_reads_as_the_oracle_reads_it(text, money, exact, required):
    from engine.imports.rows import Cells
    from tests.oracle.rows import Cells as OracleCells

    found = []
    for make in (Cells, OracleCells):
        problems: list[str] = []
        cells = make("f.csv", ["Amount"], problems, None)
        cells.start([text], 7)
        found.append((cells.number("Amount", required=required, money=money, exact=exact), problems))
    assert found[0] == found[1]


@settings(max_examples=400, deadline=None)
@given(CELL_TEXT | st.decimals(allow_nan=False, allow_infinity=False).map(str))
def test_a_number_parses_as_the_oracle_parses_it(text):
    from engine.core import fixedpoint as fp
    from tests.oracle.fixedpoint import parse as oracle_parse

    def outcome(parse: Callable[[str], int]) -> object:
        try:
            return parse(text)
        except fp.FixedPointError as exc:
            return str(exc)

    assert outcome(fp.parse) == outcome(oracle_parse)
