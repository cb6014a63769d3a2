"""A harvest CSV written while it is read (engine.store.columnar_stream), a part at a time in one
transaction: `harvest import` says and stores exactly what the whole-file pass does (the stream
declined) and the row path do, with parts of a few dozen rows (columnar_cells.PART_BYTES made
tiny); a problem in the last part leaves the store as it was (none, if there was none); a
record repeated across parts, a store that holds records, an account that may hold synced fills
are declined and imported as before."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bench.synth import write_csv
from engine.imports import columnar, columnar_cells
from engine.store import columnar_stream
from engine.store.store import Store
from tests.engine.imports.test_import_oracle import dump
from tests.support import run_cli

ON, OFF = 0, 10**12  # COLUMNAR_MIN_LINES: every file, no file
HEADER = "timestamp,account,asset,side,quantity,price,fee,trade_id\n"
PART_BYTES = 2_000  # about 30 rows of these files a part


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text("tax:\n  timezone: America/New_York\n")
    monkeypatch.setenv("HARVEST_CONFIG", str(config))
    monkeypatch.setattr(columnar_cells, "PART_BYTES", PART_BYTES)
    return tmp_path


@pytest.fixture
def streamed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """What each offer to the stream came to: 'written', 'problem' or 'declined'."""
    seen: list[str] = []
    write = columnar_stream.write_while_read

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        found = write(*args, **kwargs)
        seen.append("problem" if found is None else "declined" if found == columnar.DECLINED else "written")
        return found

    monkeypatch.setattr(columnar_stream, "write_while_read", spy)
    return seen


@pytest.fixture
def parts_written(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """The height of each part the stream wrote (inside its transaction)."""
    heights: list[int] = []
    write = columnar_stream._Writer.write

    def spy(self, prepared):  # noqa: ANN001, ANN202
        done = write(self, prepared)
        if done:
            heights.append(prepared.rows.height)
        return done

    monkeypatch.setattr(columnar_stream._Writer, "write", spy)
    return heights


def run(capsys, monkeypatch, where: Path, how: str, *argv: str) -> tuple[int, str, str]:  # noqa: ANN001
    """`harvest import` into the home `where`: `how` is 'stream' (the columnar path, offered to
    the stream), 'whole' (the columnar path, the stream declining) or 'rows' (the row path)."""
    with monkeypatch.context() as patch:
        patch.setenv("HARVEST_HOME", str(where))
        patch.setattr(columnar, "COLUMNAR_MIN_LINES", OFF if how == "rows" else ON)
        if how == "whole":
            patch.setattr(columnar_stream, "write_while_read", lambda *args: columnar.DECLINED)
        return run_cli(capsys, "import", *argv)


def store_dump(where: Path) -> object:
    with sqlite3.connect(where / "harvest.sqlite3") as conn:
        return dump(conn), conn.execute("SELECT * FROM cross_source").fetchall()


def imported(capsys, monkeypatch, home: Path, how: str, path: Path, times: int = 2) -> object:  # noqa: ANN001
    """What importing `path` `times` times into a fresh home says, and the store it leaves."""
    where = home / how
    said = []
    for _ in range(times):
        said.append(run(capsys, monkeypatch, where, how, str(path)))
    return said, store_dump(where) if (where / "harvest.sqlite3").exists() else None


def harvest_rows(count: int, start: int = 0) -> list[str]:
    """Buys and sells with trade ids, a fee on most."""
    return [
        f"2024-01-{1 + n % 28:02d}T{n % 24:02d}:{n % 60:02d}:00Z,acct{n % 3},{('BTC', 'ETH', 'SOL')[n % 3]},"
        f"{'buy' if n % 5 else 'sell'},0.{n + 1:04d},{100 + n}.5,{n % 4},T{n}\n"
        for n in range(start, start + count)
    ]


def test_a_file_written_while_read_says_and_stores_what_the_whole_file_pass_does(
    home, capsys, monkeypatch, streamed, parts_written
):
    path = home / "trades.csv"
    rows = harvest_rows(300)
    # rows without a trade id, known by their content: repeats numbered within a part, and
    # some only once in the file; a row with a lot identification (read by the row reader)
    rows[10] = "2024-02-01T00:00:00Z,acct0,BTC,buy,1,100,0,\n"
    rows[11] = rows[10]  # the same content twice, side by side: two records
    rows[150] = "2024-02-02T00:00:00Z,acct1,ETH,buy,2,50,1,\n"
    path.write_text(HEADER + "".join(rows))
    found = {how: imported(capsys, monkeypatch, home, how, path) for how in ("stream", "whole", "rows")}
    assert streamed == ["written", "declined"]  # the second import: the store holds records
    assert len(parts_written) > 5  # (many parts, each written as read)
    assert sum(parts_written) == 300
    assert found["stream"] == found["whole"] == found["rows"]
    said, _store = found["stream"]
    assert said[0][1].splitlines()[1:] == [
        "  300 event(s): 300 trade(s), 223 with a fee",
        f"imported 300 new event(s) from {path} (0 already in the store)",
    ]
    assert said[1][1].splitlines()[-1].endswith("(300 already in the store)")


def test_the_summary_figures_and_lists_are_those_of_the_whole_file(home, capsys, monkeypatch, streamed):
    path = home / "mixed.csv"
    rows = [row.replace("\n", ",\n") for row in harvest_rows(200)]  # (a quote column: USD)
    rows[40] = "2024-03-01T00:00:00Z,acct0,BTC,transfer_in,1,,0,,\n"
    rows[120] = "2024-03-02T00:00:00Z,acct1,ETH,income,0.5,2000,0,,\n"
    rows[121] = "2024-03-02T00:00:01Z,acct1,SOL,buy,3,10,0.01,X1,EUR\n"  # no USD price: kept, said
    rows[190] = "2024-03-03T00:00:00Z,acct2,BTC,sell,0.25,9,0,X2,EUR\n"
    path.write_text(HEADER.replace("\n", ",quote\n") + "".join(rows))
    found = {how: imported(capsys, monkeypatch, home, how, path, times=1) for how in ("stream", "rows")}
    assert streamed == ["written"]
    assert found["stream"] == found["rows"]
    out = found["stream"][0][0][1]
    assert "needs a USD price, kept but left out of results until priced: 2" in out
    assert (
        f"{path}:123: buy SOL: no USD price for SOL in EUR\n    {path}:192: sell BTC:" in out
    )  # (two parts)
    assert "1 transfer(s), 1 income" in out


@pytest.mark.parametrize("existing", [False, True])
def test_a_problem_in_the_last_part_leaves_the_store_as_it_was(
    home, capsys, monkeypatch, streamed, parts_written, existing
):
    path = home / "late.csv"
    rows = harvest_rows(300)
    rows[-1] = rows[-1].replace("2024-01-", "2024-1x-", 1)  # the last row's date no longer a date
    path.write_text(HEADER + "".join(rows))
    where = home / "stream"
    if existing:  # a store made before, holding no records
        where.mkdir()
        Store(where / "harvest.sqlite3").close()
        before = store_dump(where)
    code, out, err = run(capsys, monkeypatch, where, "stream", str(path))
    assert streamed == ["problem"]
    assert sum(parts_written) >= 250  # the earlier parts were written, then rolled back
    assert (code, out) == (2, "")
    assert f"{path}:301: timestamp:" in err
    if existing:
        assert store_dump(where) == before
    else:
        assert not where.exists()  # not even an empty store, as for any refused file
    assert run(capsys, monkeypatch, home / "rows", "rows", str(path)) == (code, out, err)


@pytest.mark.parametrize(
    "repeat",
    [
        "the same record in parts 1 and 3",
        "a row without an id repeated in parts 1 and 3",
        "an id reused with other values",
    ],
)
def test_a_record_repeated_across_parts_is_imported_as_before(
    home, capsys, monkeypatch, streamed, parts_written, repeat
):
    path = home / "repeats.csv"
    rows = harvest_rows(300)
    if repeat == "the same record in parts 1 and 3":
        rows[100] = rows[5]
    elif repeat == "a row without an id repeated in parts 1 and 3":
        rows[5] = rows[100] = "2024-02-01T00:00:00Z,acct0,BTC,buy,1,100,0,\n"
    else:
        rows[100] = rows[5].replace(",0.0006,", ",0.0007,")
    path.write_text(HEADER + "".join(rows))
    found = {how: imported(capsys, monkeypatch, home, how, path) for how in ("stream", "rows")}
    assert streamed[0] == "declined"  # met in part 3 or so, after parts 1 and 2 were written
    assert parts_written
    assert found["stream"] == found["rows"]
    first = found["stream"][0][0]
    if repeat == "an id reused with other values":
        assert first[0] == 2  # the row path names the problem
    else:
        assert (
            first[1]
            .splitlines()[-1]
            .endswith(
                "(1 already in the store)" if repeat.startswith("the same") else "(0 already in the store)"
            )
        )


def test_a_store_holding_records_is_imported_into_as_before(home, capsys, monkeypatch, streamed):
    first, second = home / "first.csv", home / "second.csv"
    rows = harvest_rows(300)
    first.write_text(HEADER + "".join(rows[:100]))
    second.write_text(HEADER + "".join(rows[50:] + harvest_rows(20, 1000)))  # 50 rows already stored
    said = {}
    for how in ("stream", "rows"):
        for path in (first, second):
            said.setdefault(how, []).append(run(capsys, monkeypatch, home / how, how, str(path)))
        said[how].append(store_dump(home / how))
    assert streamed == ["written", "declined"]
    assert said["stream"] == said["rows"]
    assert said["stream"][1][1].splitlines()[-1].endswith("(50 already in the store)")


def test_an_account_that_may_hold_synced_fills_is_imported_as_before(home, capsys, monkeypatch, streamed):
    path = home / "trades.csv"
    write_csv(path, 500, 1)
    for how in ("stream", "rows"):  # a sync of the account, which found nothing yet
        (home / how).mkdir()
        with Store(home / how / "harvest.sqlite3") as store:
            account = path.read_text().splitlines()[1].split(",")[1]
            store.conn.execute(
                "INSERT INTO batches (source, imported_at, rows, added) VALUES (?, 0, 0, 0)",
                (f"ccxt:{account}",),
            )
    found = {how: imported(capsys, monkeypatch, home, how, path, times=1) for how in ("stream", "rows")}
    assert streamed == ["declined"]
    assert found["stream"] == found["rows"]


def test_a_first_part_smaller_than_the_rest_stores_what_the_row_path_does(
    home, capsys, monkeypatch, streamed, parts_written
):
    """columnar.FIRST_PART_BYTES: the writer starts on a small first part, the parts after it
    grow to PART_BYTES; the same output and store."""
    monkeypatch.setattr(columnar, "FIRST_PART_BYTES", PART_BYTES // 8)
    path = home / "trades.csv"
    path.write_text(HEADER + "".join(harvest_rows(400)))
    found = {how: imported(capsys, monkeypatch, home, how, path, times=1) for how in ("stream", "rows")}
    assert streamed == ["written"]
    assert found["stream"] == found["rows"]
    assert sum(parts_written) == 400
    assert parts_written[0] * 6 < parts_written[3] < parts_written[0] * 10  # 1, 2, 4, 8 times the first


@pytest.mark.parametrize("numbered", ["as SQLite numbers them", "otherwise"])
def test_new_pools_are_numbered_as_the_store_numbers_them_or_the_file_is_imported_as_before(
    home, capsys, monkeypatch, streamed, numbered
):
    """The reader numbers a part's new pools before they are made (the largest id plus one:
    here after a pool the store holds without events); a pool the store numbers otherwise
    declines the stream, and the file is imported as before."""
    path = home / "trades.csv"
    path.write_text(HEADER + "".join(harvest_rows(300)))
    for how in ("stream", "rows"):
        (home / how).mkdir()
        with Store(home / how / "harvest.sqlite3") as store:
            store.conn.execute("INSERT INTO pools (id, account, asset) VALUES (7, 'old', 'BTC')")
    if numbered == "otherwise":
        begin = columnar_stream._Writer.begin

        def misnumbering(self):  # noqa: ANN001, ANN202
            began = begin(self)
            self.next_pool += 1
            return began

        monkeypatch.setattr(columnar_stream._Writer, "begin", misnumbering)
    found = {how: imported(capsys, monkeypatch, home, how, path, times=1) for how in ("stream", "rows")}
    assert streamed == ["written" if numbered.startswith("as") else "declined"]
    assert found["stream"] == found["rows"]
    with sqlite3.connect(home / "stream" / "harvest.sqlite3") as conn:
        assert conn.execute("SELECT min(id), max(id), count(*) FROM pools").fetchone() == (7, 10, 4)
