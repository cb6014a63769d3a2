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
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
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


EXAMPLES = [12, pytest.param(60, marks=pytest.mark.slow)]  # a few always, more in the slow run


@pytest.mark.parametrize("examples", EXAMPLES)
@pytest.mark.parametrize("name", list(FILES))
def test_generated_files_import_as_the_oracle_does(name, examples):
    @settings(SETTINGS, max_examples=examples)
    @given(FILES[name], FILES[name], OPTIONS, st.sampled_from([USD_ONLY, WITH_USDC]))
    def check(first: str, second: str, options: Options, usd: frozenset[str]) -> None:
        assert_same([first, second, first], options, usd)

    check()


@pytest.mark.parametrize("examples", EXAMPLES)
@pytest.mark.parametrize("name", list(FILES))
def test_files_with_broken_cells_are_read_as_the_oracle_reads_them(name, examples):
    @settings(SETTINGS, max_examples=examples)
    @given(FILES[name].flatmap(broken), OPTIONS)
    def check(text: str, options: Options) -> None:
        assert_same([text], options, taken=False)  # a broken cell may send the file to the row path

    check()


# -- the format fixtures, and trades only the row code makes -------------------------------------

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
KRAKEN_HEADER = '"txid","refid","time","type","subtype","aclass","asset","amount","fee","balance","amountusd"'
ODD_KRAKEN = [  # refid groups kraken._trade makes, and rows whose legs legs_for makes
    '"T1","R1","2024-01-02 10:00:00.1234","trade","","currency","ZUSD",-100.00,0.26,0,',
    '"T2","R1","2024-01-02 10:00:00.1234","trade","","currency","XXBT",0.002,0.00001,0,',  # fees on both
    '"T3","R2","2024-01-03 10:00:00","trade","","currency","ZUSD",-50.00,0,0,',
    '"T4","R2","2024-01-03 10:00:00","trade","","currency","XETH",0.02,0,0,',
    '"T5","R2","2024-01-03 10:00:00","trade","","currency","KFEE",0,12.5,0,',  # fee credits
    '"T6","R3","2024-01-04 10:00:00","trade","","currency","SOL",-1.5,0,0,',  # one side only
    '"T7","R4","2024-01-05 10:00:00","spend","","currency","ZEUR",-20,0,0,',
    '"T8","R4","2024-01-05 10:00:00","receive","","currency","DOT",3,0,0,30.10',
    '"T9","","2024-01-06 10:00:00","trade","","currency","XETH",-0.1,0,0,',
    '"T10","","2024-01-06 10:00:00","trade","","currency","XXBT",0.005,0,0,',
    '"T11","R5","2024-01-07 10:00:00","withdrawal","","currency","XXBT",-0.01,0.0002,0,',  # a fee in BTC
    '"","R6","2024-01-08 10:00:00","deposit","","currency","ZUSD",500,0,0,',  # not completed
    '"T12","R7","2024-01-09 10:00:00","deposit","","currency","ZUSD",500,0,0,',  # cash
    '"T13","R8","2024-01-10 10:00:00","staking","","currency","DOT28.S",0.5,0.01,0,3.2',
    '"T14","R9","2024-01-11 10:00:00","earn","allocation","currency","SOL.F",1,0,0,',
    '"T15","R10","2024-01-12 10:00:00","margin","","currency","XXBT",0.1,0,0,',  # unknown type
    '"T16","R11","2024-01-13 10:00:00","trade","","currency","XETH",-0.3,0,0,',
    '"T17","R11","2024-01-13 10:00:00","trade","","currency","XXBT",-0.01,0,0,',  # two assets out
    '"T18","R11","2024-01-13 10:00:00","trade","","currency","ZUSD",900,0,0,',
]


@pytest.mark.parametrize(
    "path",
    sorted(p for d in ("coinbase", "kraken") for p in (FIXTURES / d).glob("*.csv")),
    ids=lambda p: p.stem,
)
def test_the_format_fixtures_import_as_the_oracle_does(path):
    text = path.read_text(encoding="utf-8-sig")
    plain = path.stem != "2019"  # its Notes hold a quoted line break: a file the row path reads whole
    assert_same([text, text], NO_OPTIONS, taken=plain)


def test_coinbase_rows_of_every_kind_import_as_the_oracle_does():
    text = "\r\n".join(["", "Transactions", "User,x,y", CB_HEADER, *ODD_COINBASE]) + "\r\n"
    assert not text.isascii()  # (the euro sign: read by rows whole)
    assert_same([text], NO_OPTIONS, taken=False)
    ascii_text = text.replace("€", "")
    assert_same([ascii_text, ascii_text], NO_OPTIONS)
    assert_same([ascii_text], Options("acct", ZoneInfo("America/New_York"), LATEST_2030), WITH_USDC)


def test_trades_the_row_code_makes_import_as_the_oracle_does():
    text = "\n".join([KRAKEN_HEADER, *ODD_KRAKEN]) + "\n"
    assert_same([text], NO_OPTIONS)
    assert_same([text], Options("acct", None, LATEST_2030), WITH_USDC)


LATEST_2030 = 1_893_456_000_000_000
CB_HEADER = (
    "ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,Price at Transaction,Subtotal,"
    "Total (inclusive of fees and/or spread),Fees and/or Spread,Notes,Sender Address,Recipient Address"
)
ODD_COINBASE = [  # every branch of coinbase._Row.event, and rows only the row code reads
    "c01,2024-01-02 10:00:00 UTC,Buy,BTC,0.01,EUR,€40000,€400,€402,€2,,,",  # another currency, € cells
    "c02,2024-01-02 11:00:00 UTC,Send,ETH,-0.5,USD,,,,$1.50,Sent 0.5 ETH to 0xabc,,",  # fee, no price
    "c03,2024-01-02 12:00:00 UTC,Send,SOL,-2,USD,$100.00,,,$0.00,,,",
    "c04,2024-01-02 13:00:00 UTC,Receive,ETH,0.2,USD,$2000,$400,$400,,Received from Coinbase Earn,,",
    "c05,2024-01-02 14:00:00 UTC,Pro Deposit,BTC,-0.1,USD,$40000,$4000,$4000,$0,,,",
    "c06,2024-01-02 15:00:00 UTC,Deposit,USD,500,USD,$1,$500,$500,$0,,,",
    "c07,2024-01-02 16:00:00 UTC,Buy,ADA,0,USD,$0.5,$0,$0,$0,,,",  # zero quantity
    "c08,2024-01-02 17:00:00 UTC,Vault Withdrawal,BTC,0.1,USD,,,,,,,",
    "c09,2024-01-03 10:00:00 UTC,Asset Migration,MATIC,-100,USD,$0.4,-$40,-$40,$0,,,",
    "c10,2024-01-03 10:00:00 UTC,Asset Migration,POL,100,USD,$0.4,$40,$40,$0,,,",
    "c11,2024-01-04 10:00:00 UTC,Asset Migration,ETH2,-1,USD,,,,,,,",  # its other side not here
    "c12,2024-01-05 10:00:00 UTC,Advanced Trade Sell,ETH,-1,USD,$2000,$2000,$1990,$10,"
    "Sold 1 ETH for 1990 USDC on ETH-USDC at 2000 USDC/ETH,,",
    "c13,2024-01-05 11:00:00 UTC,Sell,BTC,-0.01,USD,$40000,$400,$396,$4,Sold 0.01 BTC for 396 USD,,",
    "c14,2024-01-06 10:00:00 UTC,Mystery Payout,SOL,1,USD,,,,,,,",
    "c15,2024-01-06 11:00:00 UTC,Staking Income,SOL,0.1,USD,$150,,,,,,",  # valued by its price
    "c16,2024-01-06 12:00:00 UTC,Buy,SOL,1,USD,$150,,,,,,",  # neither subtotal nor total
    "c17,2024-01-06 13:00:00 UTC,Sell,SOL,-1,USD,$150,$150,(149.00),$1,,,",  # a money cell in parentheses
    'c18,2024-01-06 14:00:00 UTC,Convert,ETH,-0.1,USD,$2000,$200,$199,$1,"Converted 0.1 ETH to 1,234.5 ADA",,',
    "c19,2024-01-06 15:00:00Z,Receive,BTC,0.001,USD,$40000,$40,$40,$0,,bc1sender,",
]
