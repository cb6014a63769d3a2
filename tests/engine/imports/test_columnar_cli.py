"""`harvest import` through the columnar path says and stores what the row path does: the same
summary (formats, counts, skips, unclassified rows, rows needing a price), the same re-import
and dry-run lines, the same store; and a broken file is refused with the same problems, exit 2,
nothing written. Each file is imported twice into fresh homes, once with the columnar path
forced on (any size) and once with it off."""

from __future__ import annotations

import re
import sqlite3
from pathlib import Path

import pytest

from bench.bench_import import write_coinbase, write_kraken
from bench.synth import write_csv
from engine.imports import columnar
from tests.engine.imports.test_import_oracle import dump
from tests.support import run_cli

WRITERS = {"coinbase": write_coinbase, "kraken": write_kraken, "harvest": lambda p, n: write_csv(p, n, 1)}
ON, OFF = 0, 10**12  # COLUMNAR_MIN_LINES: every file, no file


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    config = tmp_path / "config.yaml"
    config.write_text("tax:\n  timezone: America/New_York\n")
    monkeypatch.setenv("HARVEST_CONFIG", str(config))
    return tmp_path


def run(capsys, monkeypatch, home: Path, threshold: int, *argv: str) -> tuple[int, str, str]:  # noqa: ANN001
    monkeypatch.setenv("HARVEST_HOME", str(home))
    monkeypatch.setattr(columnar, "COLUMNAR_MIN_LINES", threshold)
    return run_cli(capsys, "import", *argv)


def store_dump(home: Path) -> object:
    with sqlite3.connect(home / "harvest.sqlite3") as conn:
        return dump(conn)


@pytest.fixture
def taken(monkeypatch: pytest.MonkeyPatch) -> list[bool]:
    """Whether each import took the columnar path (the tests must not compare the row path
    with itself)."""
    seen: list[bool] = []
    read = columnar.read_columnar

    def spy(*args, **kwargs):  # noqa: ANN002, ANN003, ANN202
        found = read(*args, **kwargs)
        seen.append(found is not None)
        return found

    monkeypatch.setattr(columnar, "read_columnar", spy)
    return seen


@pytest.mark.parametrize("name", list(WRITERS))
def test_an_import_says_and_stores_what_the_row_path_does(home, capsys, monkeypatch, taken, name):
    path = home / f"{name}.csv"
    WRITERS[name](path, 2_000)
    said = {}
    for label, threshold in (("columnar", ON), ("rows", OFF)):
        where = home / label
        said[label] = [
            run(capsys, monkeypatch, where, threshold, str(path), "--dry-run"),
            run(capsys, monkeypatch, where, threshold, str(path)),
            run(capsys, monkeypatch, where, threshold, str(path)),  # again: every row already there
            store_dump(where),
        ]
    assert taken == [True, True, True]
    assert said["columnar"] == said["rows"]
    first = said["columnar"][1]
    assert first[0] == 0
    assert "event(s):" in first[1]  # the summary itself, not two empty outputs


def test_the_summary_lists_unclassified_rows_and_rows_needing_a_price_alike(home, capsys, monkeypatch, taken):
    path = home / "kraken.csv"
    write_kraken(path, 2_000)
    lines = path.read_text().splitlines()
    # a type harvest does not know, kept unclassified (Kraken's staking rewards need a price)
    lines[5] = lines[5].replace('"staking"', '"mystery"').replace('"trade"', '"mystery"')
    path.write_text("\n".join(lines) + "\n")
    outputs = [
        run(capsys, monkeypatch, home / label, threshold, str(path))
        for label, threshold in (("c", ON), ("r", OFF))
    ]
    assert taken == [True]
    assert outputs[0] == outputs[1]
    assert "unclassified, kept but left out of results" in outputs[0][1]
    assert "needs a USD price" in outputs[0][1]


@pytest.mark.parametrize("name", list(WRITERS))
def test_a_broken_file_is_refused_alike_and_nothing_is_written(home, capsys, monkeypatch, taken, name):
    path = home / f"{name}.csv"
    WRITERS[name](path, 2_000)
    lines = path.read_text().splitlines(keepends=True)
    lines[-7] = re.sub(r"(\d{4})-\d\d-", r"\1-1x-", lines[-7], count=1)  # a date no longer a date
    path.write_text("".join(lines))
    outputs = [
        run(capsys, monkeypatch, home / label, threshold, str(path))
        for label, threshold in (("c", ON), ("r", OFF))
    ]
    assert taken == [False]  # looked at, and left to the row path, which names the problem
    assert outputs[0] == outputs[1]
    code, out, err = outputs[0]
    assert code == 2
    assert f"{path}:" in err
    assert out == ""
    assert not (home / "c" / "harvest.sqlite3").exists()
