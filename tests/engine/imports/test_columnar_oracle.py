"""The columnar import path (engine.imports.columnar, engine.store.columnar_import) against the
oracle (tests/oracle: the import as it was before any speed work). Forced on for files of any
size, on the bench files and on generated files — valid, and with cells broken on purpose —
it must read the same events, lines, kinds, skips, notes and problems (the same FILE:LINE:
column: problem lines), and write the same store row for row: events, legs (values and their
SQLite types), pools and batches, including imports that meet duplicates and reused ids. Where a
file is readable, the tests also check that the columnar path took it (else they would compare
the row path with itself)."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bench.bench_import import write_coinbase, write_kraken
from bench.synth import write_csv
from engine.core.errors import CsvImportError
from engine.imports import columnar
from engine.imports.formats import Options
from engine.imports.importer import read_text
from engine.store.store import Store, keys_of
from tests.engine.imports.test_import_oracle import (
    FILES,
    OPTIONS,
    SETTINGS,
    USD_ONLY,
    WITH_USDC,
    broken,
    dump,
)
from tests.oracle import importer as oracle_importer
from tests.oracle import ledger_tables as oracle_tables

NO_OPTIONS = Options(None, None, None)


@pytest.fixture(autouse=True)
def columnar_always(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(columnar, "COLUMNAR_MIN_LINES", 0)


def outcome(text: str, options: Options, oracle: bool) -> tuple[tuple[str, object], bool]:
    """What a reader made of a file (its whole report, or its problems), and whether the
    columnar path read it."""
    read = oracle_importer.read_text if oracle else read_text
    try:
        report = read(text, "f.csv", options)
    except CsvImportError as exc:
        return ("refused", (exc.path, exc.problems)), False
    events = report.events  # the columnar path fills parsed.events on first use
    parsed = report.parsed
    summary = (report.format.key, report.version, report.account, events, parsed.lines, parsed.kinds,
               dict(parsed.skipped), parsed.notes, parsed.problems, report.counts(), report.fees(),
               report.unclassified(), report.needs_price())  # fmt: skip
    return ("read", summary), getattr(report, "frame", None) is not None


def stores(texts: list[str], options: Options, usd: frozenset[str]) -> dict[str, object]:
    """Each file imported in turn into a fresh store by the oracle and by the columnar path:
    what each import said and what the store holds."""
    found: dict[str, object] = {}
    with tempfile.TemporaryDirectory() as home:
        for who in ("oracle", "columnar"):
            said = []
            with Store(Path(home) / f"{who}.sqlite3") as store:
                for number, text in enumerate(texts):
                    if who == "oracle":
                        events = oracle_importer.read_text(text, "f.csv", options).events
                        keyed = oracle_tables.keys_of(events)
                        summary = oracle_tables.import_events(
                            store.conn, store.path, keyed, f"s{number}", usd
                        )
                    else:
                        report = read_text(text, "f.csv", options)
                        summary = (  # type: ignore[assignment]
                            store.import_frame(report.frame, f"s{number}", usd)
                            if report.frame is not None
                            else store.import_events(keys_of(report.events), f"s{number}", usd)
                        )
                    said.append((summary.batch_id, summary.rows, summary.added, summary.conflicts))
                found[who] = (said, dump(store.conn))
                assert store.conn.execute("PRAGMA foreign_key_check").fetchall() == []
    return found


def assert_same(
    texts: list[str], options: Options, usd: frozenset[str] = USD_ONLY, taken: bool = True
) -> None:
    """Both read every file alike (the columnar path taking each readable one, when `taken`);
    both write the same store from the readable ones."""
    readable = []
    for text in texts:
        oracle, _ = outcome(text, options, oracle=True)
        fast, columnar_read = outcome(text, options, oracle=False)
        assert fast == oracle
        if oracle[0] == "read":
            assert columnar_read or not taken
            readable.append(text)
    if readable:
        found = stores(readable, options, usd)
        assert found["columnar"] == found["oracle"]


@pytest.mark.parametrize("write", [write_coinbase, write_kraken], ids=["coinbase", "kraken"])
def test_the_bench_exports_import_as_the_oracle_does(tmp_path, write):
    path = tmp_path / "export.csv"
    write(path, 3_000)
    text = path.read_text()
    assert_same([text, text], NO_OPTIONS)  # the second import: all duplicates
    assert_same([text], NO_OPTIONS, WITH_USDC)


def test_the_bench_harvest_csv_imports_as_the_oracle_does(tmp_path):
    path = tmp_path / "trades.csv"
    write_csv(path, 3_000, 1)
    assert_same([path.read_text(), path.read_text()], NO_OPTIONS)


@pytest.mark.slow
@pytest.mark.parametrize("name", ["coinbase", "kraken", "harvest"])
def test_the_full_size_bench_files_import_as_the_oracle_does(tmp_path, name):
    path = tmp_path / "bench.csv"
    {"coinbase": write_coinbase, "kraken": write_kraken}.get(name, lambda p, n: write_csv(p, n, 1))(
        path, 100_000
    )
    assert_same([path.read_text()], NO_OPTIONS)


@pytest.mark.parametrize("name", list(FILES))
def test_generated_files_import_as_the_oracle_does(name):
    @SETTINGS
    @given(FILES[name], FILES[name], OPTIONS, st.sampled_from([USD_ONLY, WITH_USDC]))
    def check(first: str, second: str, options: Options, usd: frozenset[str]) -> None:
        assert_same([first, second, first], options, usd)

    check()


@pytest.mark.parametrize("name", list(FILES))
def test_files_with_broken_cells_are_read_as_the_oracle_reads_them(name):
    @SETTINGS
    @given(FILES[name].flatmap(broken), OPTIONS)
    def check(text: str, options: Options) -> None:
        assert_same([text], options, taken=False)  # a broken cell may send the file to the row path

    check()
