"""Detection: each format by its header after a known preamble; a layout not seen before by its
core columns; --format forcing one; anything else refused in one line."""

from __future__ import annotations

from datetime import UTC
from pathlib import Path

import pytest

from engine.core.errors import CsvImportError
from engine.imports.formats import Options
from engine.imports.importer import read_file, read_text
from engine.imports.registry import FORMATS

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
NO_OPTIONS = Options(None, None, None)
COINBASE_2024 = (
    "ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,Price at Transaction,Subtotal,"
    "Total (inclusive of fees and/or spread),Fees and/or Spread,Notes"
)


def refused(text: str, format_key: str | None = None) -> list[str]:
    with pytest.raises(CsvImportError) as caught:
        read_text(text, "f.csv", NO_OPTIONS, format_key)
    return caught.value.problems


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*/*.csv")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_every_fixture_is_detected_as_its_format_and_layout(path):
    report = read_file(path, Options(None, UTC, None))  # a zone for exports without one (Electrum)
    assert report.format.key == path.parent.name
    assert report.version.startswith(path.stem.replace("-", " "))  # fixtures are named by layout


def test_every_format_has_what_the_formats_list_shows():
    keys = [f.key for f in FORMATS]
    assert len(keys) == len(set(keys))
    assert keys[-1] == "harvest"  # harvest CSV is the fallback
    for fmt in FORMATS:
        assert all((fmt.name, fmt.export_path, fmt.reads, fmt.skips))


def test_an_added_column_is_a_layout_not_seen_before_not_a_refusal():
    text = f"{COINBASE_2024},Network\n" + "x1,2024-01-10 15:05:00 UTC,Buy,BTC,1,USD,$1,$1,$1,$0,,eth\n"
    report = read_text(text, "f.csv", NO_OPTIONS)
    assert (report.format.key, report.version) == ("coinbase", "a layout not seen before, 12 columns")


def test_a_preamble_is_skipped_only_where_the_format_has_one():
    preamble = "\n" * 13  # more blank lines than any Coinbase export writes
    assert refused(preamble + COINBASE_2024 + "\n")[0].startswith(
        "f.csv:1: header: not a format harvest reads"
    )


def test_unknown_files_and_formats():
    assert refused("date,coin,amount\n2024-01-01,BTC,1\n") == [
        "f.csv:1: header: not a format harvest reads (first line: 'date,coin,amount'); "
        "`harvest import --formats` lists them, --format NAME forces one"
    ]
    assert refused("", None) == ["f.csv:1: header: the file is empty; expected a header row"]
    assert refused("a,b\n", "nosuch") == ["--format: unknown format 'nosuch'; see harvest import --formats"]


def test_forcing_a_format_names_what_the_file_lacks():
    assert refused("timestamp,asset,side,quantity,price,fee\n", "coinbase") == [
        "f.csv:1: Transaction Type: required column missing",
        "f.csv:1: Quantity Transacted: required column missing",
    ]
    # and a native file forced as harvest CSV lists its unknown columns, the known ones once
    problems = refused(COINBASE_2024 + "\n", "harvest")
    assert problems[0] == "f.csv:1: id: unknown column"
    assert sum("the columns harvest CSV knows" in p for p in problems) == 1


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*/*.csv")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_the_needs_a_price_shortcut_agrees_with_the_legs(path):
    from engine.ledger.legs import legs_for

    report = read_file(path, Options(None, UTC, None))  # a zone for exports without one (Electrum)
    by_legs = sorted(
        line
        for line, event, kind in zip(report.parsed.lines, report.events, report.parsed.kinds, strict=True)
        if kind != "unclassified" and any(leg.flag for leg in legs_for(event, 0))
    )
    assert [line for line, _, _ in report.needs_price()] == by_legs
