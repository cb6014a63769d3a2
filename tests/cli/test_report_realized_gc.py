"""`harvest report realized` runs without the cyclic garbage collector: the ledger, lots and
realized rows are millions of acyclic objects at scale, and every collection after the match
rescanned them all (about 3 s of a million-row report)."""

from __future__ import annotations

import argparse
import gc
import io
from typing import TextIO

import pytest

from tests.support import HEADER, run_cli
from tui.cli import report_commands
from tui.cli.main import build_parser

TRADES = 400  # enough allocations to trigger collections had the collector run


@pytest.mark.parametrize("fmt", ["csv", "json", "table"])
def test_no_garbage_collection_runs_while_the_report_holds_its_data(
    home, capsys, monkeypatch, fmt: str
) -> None:
    lines = [
        f"2026-01-{1 + n % 28:02d}T15:00:00Z,kraken,BTC,{'buy' if n % 2 == 0 else 'sell'},1,{100 + n},0,T{n}"
        for n in range(TRADES)
    ]
    (home / "h.csv").write_text("\n".join([HEADER, *lines]) + "\n")
    assert run_cli(capsys, "import", str(home / "h.csv"))[0] == 0
    args = build_parser().parse_args(["report", "realized", "--format", fmt])
    phase = ["running"]
    collections: list[str] = []  # the phase each collection ran in

    def report(args: argparse.Namespace, out: TextIO) -> None:
        written(args, out)
        phase[0] = "freed"  # the report's locals (engine, lots, rows) are gone

    written = report_commands._report_realized
    monkeypatch.setattr(report_commands, "_report_realized", report)

    def count(event: str, info: dict[str, int]) -> None:
        if event == "start":
            collections.append(phase[0])

    out = io.StringIO()
    gc.callbacks.append(count)
    try:
        assert report_commands.cmd_report_realized(args, out) == 0
    finally:
        gc.callbacks.remove(count)
    assert "running" not in collections
    assert out.getvalue().count("T") >= TRADES // 2  # the report was written
    assert gc.isenabled()  # and the collector is back on afterwards
