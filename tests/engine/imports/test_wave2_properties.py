"""Properties of every second-wave sample (Etherscan, Ledger Live, Electrum, Trezor, Gemini, a
mapped CSV): any row order gives the same ledger, re-importing (in any order) adds nothing, and a
file cut short is refused whole."""

from __future__ import annotations

import tempfile
from collections import Counter
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core.errors import CsvImportError
from engine.imports.formats import Options
from engine.imports.importer import read_file, read_text
from engine.imports.mapped_csv import load_mapping
from engine.store.store import Store, keys_of
from tests.engine.imports.gemini_sheet import ROWS, write_xlsx

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"
ZONE = Options(None, ZoneInfo("America/New_York"), None)
SAMPLES = [
    *(FIXTURES / "imports" / name for name in (
        "etherscan/Transaction-Hash.csv", "etherscan/Txhash.csv", "etherscan/2025.csv", "etherscan-internal/2025.csv",
        "etherscan-internal/Transaction-Hash.csv",
        "etherscan-tokens/Transaction-Hash.csv", "etherscan-tokens/Txhash.csv",
        "ledger-live/with-status-and-countervalues.csv", "ledger-live/with-account-id.csv", "electrum/4.x.csv",
        "electrum/3.x.csv", "trezor/2023.csv", "gemini/assets.csv")),
    FIXTURES / "mapping" / "my-exchange.csv",
]  # fmt: skip


def options_for(path: Path) -> Options:
    if path.parent.name == "mapping":
        return Options(None, None, None, custom=load_mapping(path.with_suffix(".yaml")))
    return ZONE


def split(text: str, path: Path) -> tuple[list[str], list[str]]:
    """(the lines through the header, the data rows) of a sample (none has a multi-line cell)."""
    lines = text.splitlines(keepends=True)
    header = 2 if path.parent.name == "mapping" else 1  # the mapped sample has a title line first
    return lines[:header], [line for line in lines[header:] if line.strip(",;\r\n")]


def ledger_of(text: str, path: Path) -> Counter[tuple[str, object]]:
    events = read_text(text, str(path), options_for(path)).events
    return Counter((key, event) for key, event in keys_of(events))


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
@settings(max_examples=20, deadline=None)
@given(data=st.data())
def test_any_row_order_gives_the_same_ledger(path, data):
    text = path.read_text()
    head, rows = split(text, path)
    shuffled = "".join(head) + "".join(data.draw(st.permutations(rows)))
    assert ledger_of(shuffled, path) == ledger_of(text, path)


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
@settings(max_examples=4, deadline=None)  # a store each: few examples, the shuffles are tested above
@given(data=st.data())
def test_reimporting_in_any_row_order_adds_nothing(path, data):
    text = path.read_text()
    head, rows = split(text, path)
    shuffled = "".join(head) + "".join(data.draw(st.permutations(rows)))
    options = options_for(path)
    with tempfile.TemporaryDirectory() as folder, Store(Path(folder) / "s.sqlite3") as store:
        first = store.import_events(
            keys_of(read_text(text, str(path), options).events), "a", frozenset({"USD"})
        )
        again = store.import_events(
            keys_of(read_text(shuffled, str(path), options).events), "b", frozenset({"USD"})
        )
    assert first.added == len(read_file(path, options).events)
    assert (again.added, again.duplicates, again.conflicts) == (0, first.added, ())


@pytest.mark.parametrize("path", SAMPLES, ids=lambda p: f"{p.parent.name}/{p.name}")
@settings(max_examples=15, deadline=None)
@given(data=st.data())
def test_a_file_cut_short_is_refused_whole(path, data):
    text = path.read_text()
    head, _ = split(text, path)
    start = len("".join(head)) + 1
    cut = data.draw(st.integers(start, len(text) - 2).filter(lambda at: text[at - 1] not in "\r\n"))
    with pytest.raises(CsvImportError):
        read_text(text[:cut], str(path), options_for(path))


@pytest.mark.slow  # two workbooks written and read per example
@settings(max_examples=5, deadline=None)
@given(order=st.permutations(range(len(ROWS))))
def test_gemini_xlsx_in_any_row_order_gives_the_same_ledger(order):
    with tempfile.TemporaryDirectory() as folder:
        original = read_file(write_xlsx(Path(folder) / "a.xlsx"), Options(None, None, None)).events
        shuffled = read_file(
            write_xlsx(Path(folder) / "a.xlsx", [ROWS[i] for i in order]), Options(None, None, None)
        )
    assert Counter(keys_of(shuffled.events)) == Counter(keys_of(original))
