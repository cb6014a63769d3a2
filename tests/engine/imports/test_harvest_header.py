"""harvest_header: a harvest CSV known from its header without loading the other formats. It
answers only where registry.detect would answer the same, which rests on two facts about the
other formats' declarations, held here over registry.FORMATS."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest

from engine.imports.formats import Detected, Format, Version, normalized
from engine.imports.generic_csv import COLUMNS, HARVEST_CSV
from engine.imports.harvest_header import MARKERS, PREAMBLE, harvest_detected
from engine.imports.registry import FORMATS, HEAD_RECORDS, detect

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
COINBASE_2024 = (
    "ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,Price at Transaction,Subtotal,"
    "Total (inclusive of fees and/or spread),Fees and/or Spread,Notes"
)


def violations(formats: tuple[Format, ...]) -> list[str]:
    """What harvest_detected's reasoning needs of every other format, broken."""
    found = []
    for fmt in formats:
        if fmt is HARVEST_CSV:
            continue
        headers = [set(normalized(list(v.header))) for v in fmt.versions if v.header]
        for names in [*headers, *([set(fmt.core)] if fmt.core else [])]:
            if names <= set(COLUMNS):  # a harvest header could be taken for it
                found.append(f"{fmt.key}: {sorted(names)} are all harvest CSV columns")
        preamble = max((v.preamble for v in fmt.versions), default=0)
        if preamble > PREAMBLE:
            found.append(f"{fmt.key}: a preamble of {preamble} records, past harvest_header.PREAMBLE")
        if preamble:
            for names in [*headers, *([set(fmt.core)] if fmt.core else [])]:
                if not names & MARKERS:
                    found.append(
                        f"{fmt.key}: after a preamble, a header without any of harvest_header.MARKERS"
                    )
    return found


def records(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))[:HEAD_RECORDS]


def test_every_other_format_keeps_what_the_shortcut_relies_on():
    assert violations(FORMATS) == []


@pytest.mark.parametrize(
    "fmt",
    [
        Format(
            "x",
            "X",
            "",
            "",
            "",
            (Version("v", ("Timestamp", "Asset", "Side", "Quantity")),),
            HARVEST_CSV.parse,
        ),
        Format(
            "x", "X", "", "", "", (Version("v", ("Date", "Kind")),), HARVEST_CSV.parse, frozenset({"note"})
        ),
        Format("x", "X", "", "", "", (Version("v", ("Date", "Kind"), preamble=3),), HARVEST_CSV.parse),
        Format(
            "x", "X", "", "", "", (Version("v", ("Date", "Kind"), preamble=PREAMBLE + 1),), HARVEST_CSV.parse
        ),
    ],
    ids=["harvest-names", "harvest-core", "preamble-without-marker", "longer-preamble"],
)
def test_a_format_that_would_break_it_is_named(fmt):
    assert violations((fmt,))


HEADS = [
    "timestamp,account,asset,side,quantity,price,fee,trade_id\n2022-01-01T01:13:23Z,a,SOL,buy,1,97.40,3.89,T1\n",
    " Timestamp , ASSET,side,Quantity,price,fee,,\n2022-01-01T01:13:23Z,SOL,buy,1,97.40,3.89,,\n",
    ",".join(COLUMNS) + "\n",
    "timestamp,asset,side,quantity,price,fee,color\n2022-01-01T01:13:23Z,SOL,buy,1,97.40,3.89,red\n",  # unknown
    "timestamp,asset,side,price,fee\n",  # no quantity: not harvest's core
    "timestamp,asset,side,quantity,price,fee\n" + "\n" * 3 + COINBASE_2024 + "\n",  # Coinbase's after 4 lines
    "timestamp,asset,side,quantity,price,fee\n" + "x\n" * 12 + COINBASE_2024 + "\n",  # past its preamble
    "timestamp,asset,side,quantity,price,fee,note\n2022-01-01T01:13:23Z,SOL,buy,1,97,0,Transaction Type\n",
    "\ntimestamp,asset,side,quantity,price,fee\n",  # the header on the second line
    "",
]


@pytest.mark.parametrize("text", HEADS, ids=range(len(HEADS)))
def test_it_answers_as_detect_does_or_not_at_all(text):
    head = records(text)
    shortcut = harvest_detected(head)
    assert shortcut is None or shortcut == detect(head)


@pytest.mark.parametrize("path", sorted(FIXTURES.glob("*/*.csv")), ids=lambda p: f"{p.parent.name}/{p.name}")
def test_no_other_formats_file_is_taken_for_harvest_csv(path):
    text = path.read_text(encoding="utf-8-sig")
    delimiter = ";" if text.split("\n", 1)[0].count(";") > text.split("\n", 1)[0].count(",") else ","
    head = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))[:HEAD_RECORDS]
    assert harvest_detected(head) is None


def test_a_plain_harvest_csv_needs_no_other_format():
    detected = harvest_detected(records(HEADS[0]))
    assert detected == detect(records(HEADS[0]))
    assert detected == Detected(HARVEST_CSV, "8 columns", 0)
    assert harvest_detected(records(HEADS[5])) is None  # a Coinbase header within its preamble
    coinbase = detect(records(HEADS[5]))  # which detect takes, as before
    assert coinbase is not None
    assert coinbase.format.key == "coinbase"
