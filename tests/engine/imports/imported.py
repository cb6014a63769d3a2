"""Helpers the format tests share: read a fixture, exact decimals, and the lots and realized
gains a file's events produce, as plain tuples a test can compare by hand."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from engine.core import fixedpoint as fp
from engine.core.errors import CsvImportError
from engine.imports.formats import Options
from engine.imports.importer import FileReport, read_file, read_text
from engine.ledger.events import Event
from engine.ledger.legs import build_ledger
from engine.ledger.lots import match_lots
from engine.ledger.records import LotResult

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
NO_OPTIONS = Options(None, None, None)


def read(name: str, account: str | None = None) -> FileReport:
    return read_file(FIXTURES / name, Options(account, None, None))


def refused(text: str, label: str = "f.csv") -> list[str]:
    with pytest.raises(CsvImportError) as caught:
        read_text(text, label, NO_OPTIONS)
    return caught.value.problems


def d(text: str) -> int:
    return fp.parse(text)


def at(iso: str, zone: str = "UTC") -> int:
    """Epoch micros of a wall time in a zone."""
    return int(datetime.fromisoformat(iso).replace(tzinfo=ZoneInfo(zone)).timestamp()) * 1_000_000


def by_line(report: FileReport) -> dict[int, list[Event]]:
    found: dict[int, list[Event]] = {}
    for line, event in zip(report.parsed.lines, report.events, strict=True):
        found.setdefault(line, []).append(event)
    return found


def lots(events: list[Event]) -> LotResult:
    return match_lots(build_ledger(events), "fifo")


def realized(result: LotResult) -> list[tuple[str, str, str, str, str, str, str]]:
    """(sale, lot, asset, quantity, proceeds, basis, gain) as exact decimal strings."""
    return [(r.sale_id, r.lot_id, r.asset, fp.fmt(r.quantity, 0), fp.fmt(r.proceeds, 0), fp.fmt(r.cost_basis, 0),
             fp.fmt(r.gain, 0)) for r in result.realized]  # fmt: skip


def excluded(result: LotResult) -> list[tuple[str, str, str, str]]:
    """(sale, asset, quantity, why) of the disposals left out of results."""
    return sorted((e.sale_id, e.asset, fp.fmt(e.quantity, 0), e.problem) for e in result.excluded)


def open_lots(result: LotResult) -> dict[tuple[str, str, str], tuple[str, str | None]]:
    """(account, asset, lot) -> (quantity, basis) as exact decimal strings (basis None: unknown)."""
    return {(lot.account, lot.asset, lot.lot_id): (fp.fmt(lot.quantity, 0), None if lot.basis is None else
            fp.fmt(lot.basis, 0)) for lot in result.open_lots}  # fmt: skip
