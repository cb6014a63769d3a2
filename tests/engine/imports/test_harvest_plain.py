"""The harvest CSV's plain rows read by position (engine.imports.harvest_plain) against the general
reader alone (generic_csv.PLAIN_ROWS off): the same events, lines and problems for every row, on
both sides of what makes a row plain, and the plain path taken for the rows it is for. A file of
plain rows only is read a column at a time (harvest_plain.plain_table): the same again against
the row by row reading (generic_csv.PLAIN_TABLE off) and the general reader."""

from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bench.synth import write_csv
from engine.core import fixedpoint as fp
from engine.core.errors import CsvImportError
from engine.imports import generic_csv
from engine.imports.harvest_plain import plain_rows, plain_table
from engine.ledger.events import LATEST, MAX_PRICE, MAX_QUANTITY, MAX_VALUE

H = "timestamp,account,asset,side,quantity,price,fee"
WIDE = "timestamp,asset,side,quantity,price,fee,quote,fee_asset,trade_id,tx_id,note,lots,subtotal,total,price_usd"
TOP_PRICE = fp.fmt(MAX_PRICE, 0)
MAX_QTY = fp.fmt(MAX_QUANTITY, 0)
# quantity x price at MAX_VALUE, over it, and a hair past it unrounded: under or over once rounded
AT_LIMIT = f"1000,{TOP_PRICE}"
OVER_LIMIT = f"1001,{TOP_PRICE}"
ROUNDS_UNDER = "999999999999999.977000000000000001,1.000000000000000023"  # 0.47 of a unit past: rounds down
ROUNDS_OVER = "999999999999999.990000000000000001,1.00000000000000001"  # 0.9 past: rounds up, over
ROWS = [
    "2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,0",
    " 2026-01-01T00:00:00Z , kraken , btc , BUY , 1.5 , 100.25 , 0.01 ",
    "2026-01-01T00:00:00+05:30,kraken,ETH,sell,0.000000000000000001,3000,1.5",
    "2026-01-01T00:00:00.123456-08:00,kraken,SOL,spend,2,0,0",
    "2026-01-01T00:00:00Z,kraken,BTC,transfer_out,1,,0",
    "2026-01-01T00:00:00Z,kraken,BTC,transfer_in,1,,0",
    "2026-01-01T00:00:00Z,kraken,BTC,income,1,,0",
    "2026-01-01T00:00:00Z,kraken,BTC,buy,1,,0",
    "2026-01-01T00:00:00Z,,BTC,buy,1,100,0",
    "2026-01-01T00:00:00Z,kraken,,buy,1,100,0",
    "2026-01-01T00:00:00,kraken,BTC,buy,1,100,0",
    ",kraken,BTC,buy,1,100,0",
    "yesterday,kraken,BTC,buy,1,100,0",
    "2008-12-31T00:00:00Z,kraken,BTC,buy,1,100,0",
    "2100-01-02T00:00:00Z,kraken,BTC,buy,1,100,0",
    "2026-01-01T00:00:00Z,kraken,BTC,hodl,1,100,0",
    "2026-01-01T00:00:00Z,kraken,BTC,buy,0,100,0",
    "2026-01-01T00:00:00Z,kraken,BTC,buy,-1,100,0",
    "2026-01-01T00:00:00Z,kraken,BTC,buy,+1,100,0",
    "2026-01-01T00:00:00Z,kraken,BTC,buy,1e-8,100,0",
    "2026-01-01T00:00:00Z,kraken,BTC,buy,.5,100,0",
    "2026-01-01T00:00:00Z,kraken,BTC,buy,5.,100,0",
    "2026-01-01T00:00:00Z,kraken,BTC,buy,0.0000000000000000001,100,0",
    "2026-01-01T00:00:00Z,kraken,BTC,buy,0.1000000000000000000,100,0",
    "2026-01-01T00:00:00Z,kraken,BTC,buy,\u0661,100,0",
    "2026-01-01T00:00:00Z,kraken,BTC,buy,1 000,100,0",
    "2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,",
    "2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,-0.5",
    f"2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,{fp.fmt(MAX_VALUE, 0)}",
    f"2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,{fp.fmt(MAX_VALUE + 1, 0)}",
    f"2026-01-01T00:00:00Z,kraken,BTC,buy,{MAX_QTY},0,0",
    f"2026-01-01T00:00:00Z,kraken,BTC,buy,{MAX_QTY}.000000000000000001,0,0",
    f"2026-01-01T00:00:00Z,kraken,BTC,buy,1,{TOP_PRICE},0",
    f"2026-01-01T00:00:00Z,kraken,BTC,buy,1,{TOP_PRICE}.000000000000000001,0",
    f"2026-01-01T00:00:00Z,kraken,BTC,buy,{AT_LIMIT},0",
    f"2026-01-01T00:00:00Z,kraken,BTC,buy,{OVER_LIMIT},0",
    f"2026-01-01T00:00:00Z,kraken,BTC,buy,{ROUNDS_UNDER},0",
    f"2026-01-01T00:00:00Z,kraken,BTC,buy,{ROUNDS_OVER},0",
    "2026-01-01T00:00:00Z,kraken,BTC,buy,1,abc,0",
]
WIDE_ROWS = [
    "2026-01-01T00:00:00Z,BTC,buy,1,100,0,,,,,,,,,",
    "2026-01-01T00:00:00Z,BTC,buy,1,100,0,eur,bnb,T1,0xab,a note,,,,",
    "2026-01-01T00:00:00Z,BTC,buy,1,100,0,btc,,,,,,,,",
    "2026-01-01T00:00:00Z,BTC,transfer_out,1,,0,btc,,,,,,,,",
    "2026-01-01T00:00:00Z,BTC,sell,1,100,0,,,,,,L1:1,,,",
    "2026-01-01T00:00:00Z,BTC,buy,1,,0,,,,,,,100,,",
    "2026-01-01T00:00:00Z,BTC,buy,1,,0,,,,,,,,101,",
    "2026-01-01T00:00:00Z,BTC,buy,1,100,0,EUR,,,,,,,,1.1",
    "2026-01-01T00:00:00Z,BTC,buy,1,100,0,,,T1,,,,,,",
    "2026-01-01T00:00:00Z,BTC,buy,2,100,0,,,T1,,,,,,",
]


def outcome(
    text: str, plain: bool, account: str | None = None, zone: ZoneInfo | None = None, table: bool = True
) -> object:
    before = generic_csv.PLAIN_ROWS, generic_csv.PLAIN_TABLE
    generic_csv.PLAIN_ROWS, generic_csv.PLAIN_TABLE = plain, table
    try:
        return generic_csv.parse_csv_lines(text, "f.csv", account, LATEST, zone)
    except CsvImportError as exc:
        return exc.problems
    finally:
        generic_csv.PLAIN_ROWS, generic_csv.PLAIN_TABLE = before


def all_three(text: str, account: str | None = None) -> object:
    """The outcome a column at a time, row by row and by the general reader alone: all equal."""
    whole = outcome(text, True, account)
    assert whole == outcome(text, True, account, table=False)
    assert whole == outcome(text, False, account)
    return whole


@pytest.mark.parametrize("row", ROWS)
@pytest.mark.parametrize("account", [None, "default"])
def test_each_row_reads_as_the_general_reader_reads_it(row, account):
    text = f"{H}\n{row}\n"
    assert outcome(text, True, account) == outcome(text, False, account)
    zone = ZoneInfo("America/New_York")  # times without a zone: the general reader's, as before
    assert outcome(text, True, account, zone) == outcome(text, False, account, zone)


@pytest.mark.parametrize("row", WIDE_ROWS)
def test_the_optional_columns_read_as_the_general_reader_reads_them(row):
    text = f"{WIDE}\n{row}\n"
    assert outcome(text, True, "kraken") == outcome(text, False, "kraken")


def test_all_the_rows_in_one_file_and_their_problems_read_the_same():
    text = "\n".join([H, *ROWS, "", " , , ", *ROWS[:3]]) + "\n"
    assert outcome(text, True) == outcome(text, False)
    text = "\n".join([WIDE, *WIDE_ROWS, *WIDE_ROWS]) + "\n"
    assert outcome(text, True, "kraken") == outcome(text, False, "kraken")


def test_the_plain_path_reads_plain_rows_and_leaves_the_others():
    names = H.split(",")
    plain = plain_rows(names, "f.csv", None, LATEST, None)
    assert plain is not None
    assert plain(ROWS[0].split(",")) == outcome(f"{H}\n{ROWS[0]}\n", False)[0][0]  # type: ignore[index]
    assert plain(ROWS[4].split(",")) is not None  # a transfer without a price
    assert plain(ROWS[7].split(",")) is None  # a buy without a price: the general reader says why
    assert plain_rows(names, "f.csv", None, LATEST, ZoneInfo("UTC")) is None


def test_a_generated_file_reads_the_same(tmp_path: Path):
    path = tmp_path / "t.csv"
    write_csv(path, 3_000, 7)
    text = path.read_text()
    events, lines = outcome(text, True)  # type: ignore[misc]
    assert len(events) == 3_000
    assert (events, lines) == outcome(text, False)


CELLS = st.sampled_from(
    ["0", "1", "1.5", "-1", "1e2", ".5", "", " 7 ", "0.000000000000000001", "x", TOP_PRICE]
)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["2026-01-01T00:00:00Z", "2026-01-01T00:00:00", "", "2001-01-01T00:00:00Z"]),
            st.sampled_from(["kraken", ""]),
            st.sampled_from(["BTC", "usd", ""]),
            st.sampled_from(["buy", "Sell", "transfer_in", "income", "x"]),
            CELLS,
            CELLS,
            CELLS,
        ),
        min_size=1,
        max_size=5,
    )
)
def test_any_mix_of_cells_reads_the_same(rows):
    text = "\n".join([H, *(",".join(row) for row in rows)]) + "\n"
    assert outcome(text, True) == outcome(text, False)


def test_a_file_of_plain_rows_is_read_a_column_at_a_time(tmp_path: Path):
    path = tmp_path / "t.csv"
    write_csv(path, 3_000, 11)
    text = path.read_text()
    names = text.partition("\n")[0].split(",")
    assert plain_table(text, names, "f.csv", None, LATEST) is not None
    events, lines = all_three(text)  # type: ignore[misc]
    assert len(events) == 3_000
    assert lines == list(range(2, 3_002))
    crlf = text.replace("\n", "\r\n")
    assert plain_table(crlf, names, "f.csv", None, LATEST) is not None
    assert all_three(crlf) == (events, lines)
    assert all_three(text.rstrip("\n")) == (events, lines)  # no newline after the last row


@pytest.mark.parametrize("row", ROWS)
@pytest.mark.parametrize("account", [None, "default"])
def test_each_row_in_a_file_of_its_own_reads_the_same_every_way(row, account):
    all_three(f"{H}\n{row}\n{row}\n", account)  # (twice: rows without a trade id may repeat)
    all_three(f"{H}\r\n{row}\r\n", account)


@pytest.mark.parametrize("row", WIDE_ROWS)
def test_the_optional_columns_read_the_same_every_way(row):
    all_three(f"{WIDE}\n{row}\n", "kraken")
    all_three(f"{WIDE}\n{row}\n{WIDE_ROWS[1]}\n", "kraken")


PLAIN = "2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,0"


@pytest.mark.parametrize(
    "text",
    [
        f"{H}\n{PLAIN}\n\n{PLAIN}\n",  # a blank line
        f"{H}\n{PLAIN}\n , , , , , , \n",  # a row of blanks
        f"{H}\n{PLAIN}\n{PLAIN},x\n",  # a cell too many
        f'{H}\n"2026-01-01T00:00:00Z",kraken,BTC,buy,1,100,0\n',  # quoted
        f'{H}\n2026-01-01T00:00:00Z,kraken,BTC,buy,1,100,"0\n"\n{PLAIN}\n',  # a row over two lines
        f"{H}\n{PLAIN}\r{PLAIN}\n",  # a lone carriage return ends a row
        f"{H}\n{PLAIN}\n{PLAIN[:-1]}{'0' * 200_000}\n",  # a cell longer than the csv module reads
        f"{H}\n{PLAIN}\n2026-01-01T00:00:00Z,kraken,BTC,transfer_in,1,,0\n",  # a transfer, no price
        f"{H}\n{PLAIN}\n2026-01-01T00:00:00Z,kraken,USD,transfer_in,1,1,0\n",  # asset = quote
        f"{H}\n{PLAIN},\n",  # too many cells in every row
        f"{H}\n{PLAIN}\n2026-02-30T00:00:00Z,kraken,BTC,buy,1,100,0\n",  # no such day
        f"{H}\n{PLAIN}\n2026-01-01T00:00:00.5Z,kraken,BTC,buy,1,100,0\n",  # another layout, zoned
        f"{H}\n{PLAIN}\n2026-01-01T00:00:00+01:00,kraken,BTC,buy,1,100,0\n",
        f"{H}\n{PLAIN}\n2026-01-01 00:00:00Z,kraken,BTC,buy,1,100,0\n",
        f"{H}\n{PLAIN}\n2026-01-01,kraken,BTC,buy,1,100,0\n",  # a date, no zone
        f"{H}\n{PLAIN}\nT1,kraken,BTC,buy,1,100,0\n",
        f"{H}\n{PLAIN}\n{ROWS[-4]}\n",  # quantity x price over the limit unrounded, under it rounded
        f"{H}\n{PLAIN}\n{ROWS[-3]}\n",
        f"{H}\n{PLAIN}\n{ROWS[-5]}\n",
        f"{H}\n{PLAIN}\n{PLAIN}\n",
        f"{H.replace('account,', '')}\n{PLAIN.replace('kraken,', '')}\n",  # no account column
        "timestamp,account,asset,side,quantity,price,fee,trade_id\n"
        f"{PLAIN},T1\n{PLAIN[:-1]}1,T1\n",  # one trade id, other values
    ],
)
@pytest.mark.parametrize("account", [None, "default"])
def test_a_file_with_any_row_not_plain_reads_the_same_every_way(text, account):
    all_three(text, account)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["2026-01-01T00:00:00Z", "2026-01-01T00:00:00.25-05:00", "2001-01-01T00:00:00Z"]),
            st.sampled_from(["kraken", "", " coinbase "]),
            st.sampled_from(["BTC", "usd", " eth "]),
            st.sampled_from(["buy", "Sell", "transfer_in", "spend"]),
            st.sampled_from(["1", "1.5", "0.000000000000000001", "5.", " 7 ", "0", "x"]),
            st.sampled_from(["100", "0.1", "3.25", TOP_PRICE, ""]),
            st.sampled_from(["0", "1.5", " 2 "]),
        ),
        min_size=1,
        max_size=6,
    ),
    st.sampled_from([None, "default"]),
    st.sampled_from(["\n", "\r\n"]),
)
def test_any_file_reads_the_same_every_way(rows, account, newline):
    all_three(newline.join([H, *(",".join(row) for row in rows)]) + newline, account)


# a column whose cells all have as many places as its first is read in C (digits without the
# point, times a power of ten); any other column, by the comprehension: the same amounts
@pytest.mark.parametrize(
    ("quantity", "price", "fee"),
    [
        (["1", "20", "300"], ["100.25", "0.10", "3.00"], ["0", "1", "2"]),  # whole, cents, whole
        (["0.000000000000000001", "1.000000000000000000"], ["1.5", "2.5"], ["0.1", "0.2"]),  # 18 places
        (["1.5", "1.25"], ["100.25", "100.2"], ["1.50", "1.5"]),  # places that differ after the first
        (["1.50", "2"], ["100", "100.5"], ["1", "1."]),  # a point after a whole number, no places
        (["5.", "5."], ["100", "100"], ["0", "0"]),
        ([".5", ".5"], ["100", "100"], ["0", "0"]),
        (["1.0000000000000000001", "1.0000000000000000001"], ["100", "100"], ["0", "0"]),  # 19 places
        ([f"{MAX_QTY}.000000000000000000", "1.000000000000000000"], ["0", "0"], ["0", "0"]),
        ([f"{MAX_QTY}.000000000000000001", "1.000000000000000000"], ["0", "0"], ["0", "0"]),  # over
        (["1", "1"], ["100", "1e3"], ["0", "0"]),
        (["1", "1"], ["100", "1_000"], ["0", "0"]),
        (["1.5", "1.5"], ["100.25", "100,25"], ["0", "0"]),
        (["\u0661", "1"], ["100", "100"], ["0", "0"]),  # a digit int() reads and the limits do not
    ],
)
def test_columns_of_one_number_of_places_read_the_same_every_way(quantity, price, fee):
    rows = (
        f"2026-01-0{n + 1}T00:00:00Z,kraken,BTC,buy,{q},{p},{f}"
        for n, (q, p, f) in enumerate(zip(quantity, price, fee, strict=True))
    )
    all_three("\n".join([H, *rows]) + "\n")


def test_a_file_of_cents_reads_its_amounts_exactly(tmp_path: Path):
    text = f"{H}\n" + "".join(
        f"2026-01-01T00:00:{n:02d}Z,kraken,BTC,buy,{n + 1}.5,{n}.0{n % 10},1.{n:02d}\n" for n in range(60)
    )
    names = H.split(",")
    found = plain_table(text, names, "f.csv", None, LATEST)
    assert found is not None
    events = found[0]
    assert [e.price for e in events] == [fp.parse(f"{n}.0{n % 10}") for n in range(60)]
    assert [e.fee for e in events] == [fp.parse(f"1.{n:02d}") for n in range(60)]
    assert [e.quantity for e in events] == [fp.parse(f"{n + 1}.5") for n in range(60)]
    assert all_three(text) == (events, found[1])


# cells padded with what str.strip() takes are stripped; a file with none is read without it
@pytest.mark.parametrize("pad", [" ", "\t", "\x0b", "\x0c", "\x1c", "\x1f", "\u00a0", "\u2003", "\u3000"])
def test_padded_cells_read_the_same_every_way(pad):
    cells = PLAIN.split(",")
    for at in range(len(cells)):  # one cell padded (the others read in C: plain_table's own path)
        padded = ",".join(f"{pad}{cell}{pad}" if n == at else cell for n, cell in enumerate(cells))
        assert all_three(f"{H}\n{PLAIN}\n{padded}\n") == all_three(f"{H}\n{PLAIN}\n{PLAIN}\n")
    all_three(f"{H}\n{PLAIN}\n" + ",".join(f"{pad}{cell}{pad}" for cell in cells) + "\n")
    all_three(f"{H}\n{PLAIN.replace('kraken', f'kra{pad}ken')}\n")  # inside a cell: kept
