"""The row writer's lines formatted by two processes (engine.reports.forked_lines): wherever the
split falls, to a text-only stream or a UTF-8 byte stream holding text not yet flushed, the bytes
are the one-process writer's, and the child's part was used; a child that fails, is killed or
leaves a short or overlong file, and a refused fork, give the parent's own lines for the rest; a
process never allowed to fork, with another thread, no CPU free, or too few rows does not fork."""

from __future__ import annotations

import io
import os
import signal
from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.ledger.realized_slices import RealizedSlices
from engine.ledger.records import SHORT, RealizedRow
from engine.reports import forked_lines, ledger_reports
from engine.store import forking
from tests.engine.reports.realized_csv_cases import (
    generated_rows_any_size,
    reference_realized_csv,
    rows_of_slices,
    slices_in_runs,
)

ROWS = [
    RealizedRow(
        "café",
        "BTC",
        n * 10**17,
        738000 + n,
        738100 + n,
        -n * 10**16,
        n,
        -n * 10**16 - n,
        SHORT,
        "L",
        f"S{n}",
    )
    for n in range(7)
] + [RealizedRow("a,b", "=X", 1, 738000, 738001, 2, 1, 1, SHORT, 'L"1', "S\n2")]  # quoted and guarded cells


@pytest.fixture(autouse=True)
def may_fork_here(monkeypatch: pytest.MonkeyPatch) -> None:
    """This process may fork (the test runner's threads touch nothing the child uses), every
    report is large enough, and `last` is cleared."""
    monkeypatch.setattr(forking, "_allowed", True)
    monkeypatch.setattr(forking, "single_threaded", lambda: True)
    monkeypatch.setattr(forking, "free_core", lambda: True)  # a busy or pinned runner tests it too
    monkeypatch.setattr(forked_lines, "FORK_FROM_ROWS", 0)
    monkeypatch.setattr(forked_lines, "last", "")


def _text_on_bytes() -> io.TextIOWrapper:
    """A text stream over bytes, as stdout is in a pipe."""
    return io.TextIOWrapper(io.BytesIO(), encoding="utf-8", write_through=False)


def _written(rows: list[RealizedRow] | RealizedSlices, stream: str = "bytes") -> str:
    """write_realized_csv's text, after what the stream held before (not yet flushed)."""
    out: io.TextIOBase = io.StringIO() if stream == "StringIO" else _text_on_bytes()
    out.write("before\n")
    ledger_reports.write_realized_csv(rows, out)  # type: ignore[arg-type]
    out.flush()
    if isinstance(out, io.StringIO):
        return out.getvalue()
    return out.buffer.getvalue().decode()  # type: ignore[attr-defined]


@pytest.mark.parametrize("stream", ["bytes", "StringIO"])
@pytest.mark.parametrize("share", [0.0, 0.2, 0.5, forked_lines.PARENT_SHARE, 0.99, 1.0])
def test_the_split_writes_the_one_process_bytes_wherever_it_falls(
    stream: str, share: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(forked_lines, "PARENT_SHARE", share)
    assert _written(ROWS, stream) == "before\n" + reference_realized_csv(ROWS)
    assert forked_lines.last == "split"


@settings(max_examples=40, deadline=None)
@given(st.lists(generated_rows_any_size, max_size=12), st.lists(st.integers(0, 12), max_size=4))
def test_the_matchers_columns_split_write_todays_bytes(rows: list[RealizedRow], cuts: list[int]) -> None:
    slices = slices_in_runs(rows, cuts)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(forked_lines, "last", "")
        patch.setattr(RealizedSlices, "rows", lambda self: pytest.fail("rows were built"))
        written = _written(slices)
        assert forked_lines.last == "split"
    assert written == "before\n" + reference_realized_csv(rows_of_slices(slices))


def _in_child(monkeypatch: pytest.MonkeyPatch, replacement: Callable[..., None]) -> None:
    monkeypatch.setattr(forked_lines, "_child", replacement)


def _raises(*_: object) -> None:
    raise RuntimeError("the child's part failed")


def _killed(*_: object) -> None:
    os.kill(os.getpid(), signal.SIGKILL)


def _short(columns: tuple[list[object], ...], split: int, scratch: io.BufferedRandom) -> None:
    scratch.write((100).to_bytes(forked_lines.LENGTH_BYTES, "little") + b"x\n")
    scratch.flush()


def _overlong(columns: tuple[list[object], ...], split: int, scratch: io.BufferedRandom) -> None:
    scratch.write((1).to_bytes(forked_lines.LENGTH_BYTES, "little") + b"x\ny\n")
    scratch.flush()


def _nothing(*_: object) -> None:
    return None


@pytest.mark.parametrize("child", [_raises, _killed, _short, _overlong, _nothing])
def test_a_failed_child_means_the_parent_writes_the_rest(
    child: Callable[..., None], monkeypatch: pytest.MonkeyPatch
) -> None:
    _in_child(monkeypatch, child)
    assert _written(ROWS) == "before\n" + reference_realized_csv(ROWS)
    assert forked_lines.last == "parent wrote the rest"


def test_a_refused_fork_means_the_parent_writes_the_rest(monkeypatch: pytest.MonkeyPatch) -> None:
    def refused() -> int:
        raise OSError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(forking.os, "fork", refused)
    assert _written(ROWS) == "before\n" + reference_realized_csv(ROWS)
    assert forked_lines.last == "parent wrote the rest"


@pytest.mark.parametrize("why", ["never allowed", "threads", "no free core", "few rows", "no fork"])
def test_a_process_that_should_not_fork_writes_alone(why: str, monkeypatch: pytest.MonkeyPatch) -> None:
    if why == "never allowed":
        monkeypatch.setattr(forking, "_allowed", False)
    elif why == "threads":
        monkeypatch.setattr(forking, "single_threaded", lambda: False)
    elif why == "no free core":
        monkeypatch.setattr(forking, "free_core", lambda: False)
    elif why == "few rows":
        monkeypatch.setattr(forked_lines, "FORK_FROM_ROWS", len(ROWS) + 1)
    else:
        monkeypatch.delattr(forking.os, "fork")
    assert not forked_lines.may_fork(len(ROWS))
    assert _written(ROWS) == "before\n" + reference_realized_csv(ROWS)
    assert forked_lines.last == ""


def test_a_columnar_sized_report_still_goes_to_the_columnar_writer(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(ledger_reports, "COLUMNAR_FROM", len(ROWS))
    assert _written(ROWS) == "before\n" + reference_realized_csv(ROWS)
    assert forked_lines.last == ""
