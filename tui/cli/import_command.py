"""`harvest import`: exchange exports and CSV ledgers into the store, each file all or nothing.

Every file is read (and its format detected) before anything is written: one bad file and
nothing is imported."""

from __future__ import annotations

import argparse
import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Literal, TextIO

from engine.core.errors import CsvImportError, InputError
from engine.core.units import EpochMicros
from tui.cli import quick_exit
from tui.cli.context import Subparsers, clock_for, open_engine

if TYPE_CHECKING:
    import polars as pl

    from engine.api import Engine
    from engine.imports.event_frame import EventFrame
    from engine.imports.importer import FileReport
    from engine.store.store import ImportSummary
    from tui.cli.import_ahead import Ahead

SHOWN = 10  # listed lines per kind of problem; the rest are counted


def add_parser(sub: Subparsers) -> None:
    imp = sub.add_parser("import", help="import exchange exports and CSV ledgers (each file all or nothing)")
    imp.add_argument(
        "paths", nargs="*", type=Path, metavar="PATH", help="files: exchange exports or harvest CSV"
    )
    imp.add_argument("--account", help="the account the rows land in (default: the format's, e.g. coinbase)")
    imp.add_argument(
        "--format",
        dest="import_format",
        metavar="NAME",
        help="read as this format (see --formats), not detected",
    )
    imp.add_argument(
        "--timezone",
        metavar="ZONE",
        help="IANA zone of times written without one (harvest CSV, Electrum, --map)",
    )
    imp.add_argument(
        "--address",
        metavar="0x…",
        help="your wallet address in an Etherscan export (default: from the file's name, else its rows)",
    )
    imp.add_argument(
        "--map",
        dest="mapping",
        type=Path,
        metavar="MAPPING.yaml",
        help="read any other CSV with a mapping file: column → field, side, date format, zone (see README)",
    )
    imp.add_argument("--dry-run", action="store_true", help="read and summarise; write nothing")
    imp.add_argument("--opening-lots", type=Path, metavar="FILE", help="start from the lots held on a date "
                     "(CSV account,asset,quantity,basis,acquired,lot_id,as_of; see README)")  # fmt: skip
    imp.add_argument(
        "--lots-as-of", metavar="DATE", help="with --opening-lots: the date of every lot (no as_of column)"
    )
    imp.add_argument(
        "--formats", action="store_true", help="list the formats harvest reads and where to export them"
    )


def cmd_import(args: argparse.Namespace, out: TextIO) -> int:
    from engine.core.collector import paused_gc

    with paused_gc():  # for the whole command: turned back on, it would scan every event it read
        return _import(args, out)


def _import(args: argparse.Namespace, out: TextIO) -> int:
    if args.formats:
        return _list_formats(out)
    if args.opening_lots is not None:
        from tui.cli.opening_lots_command import import_opening_lots

        return import_opening_lots(args, out)
    if args.lots_as_of:
        raise InputError("import: --lots-as-of goes with --opening-lots FILE")
    if not args.paths:
        raise InputError("import: give one or more files to import (or --formats to list what harvest reads)")
    from engine.core.dates import load_zone
    from engine.imports.formats import Options
    from engine.imports.generic_csv import FUTURE_SLACK
    from engine.imports.importer import read_file

    try:
        zone = load_zone(args.timezone) if args.timezone else None
    except ValueError as exc:
        raise InputError(f"--timezone: {exc}") from None
    if args.address is not None and not _is_address(args.address):
        raise InputError(f"--address: not an address (0x and 40 hex digits): {args.address!r}")
    custom = None
    if args.mapping is not None:
        if args.import_format:
            raise InputError("import: give --map or --format, not both")
        from engine.imports.mapped_csv import load_mapping

        custom = load_mapping(args.mapping)
    latest = EpochMicros(clock_for(args)() + FUTURE_SLACK)
    options = Options(args.account, zone, latest, address=args.address, custom=custom)
    # every file read before anything is written; one file alone may be written while it is
    # read (a large harvest CSV into an empty store: engine.store.columnar_stream), committed
    # only once it is read whole and summarised
    sink = None
    if len(args.paths) == 1 and not args.dry_run:
        from engine.store.allocation_counting import stop_allocation_counting
        from tui.cli import import_ahead

        # a write ahead, no connection yet in `harvest` itself: SQLite's count of its memory off
        # (a quarter of the INSERTs' CPU, on the rows path too; declined while any connection
        # exists: a caller's process, the tests)
        stop_allocation_counting()
        # a config not yet in the cache parsed, a new store made, by a child while the file is
        # read (when a CPU is idle)
        sink = _StoreSink(args, import_ahead.start(args.config))
    reports, refused = [], []
    try:
        for path in args.paths:
            try:
                reports.append(read_file(path, options, args.import_format, sink))
            except CsvImportError as exc:
                refused.append(exc)
        if refused:
            if sink is not None:
                sink.forget_new_store()
            problems = [problem for exc in refused for problem in exc.problems]
            raise CsvImportError(", ".join(exc.path for exc in refused), problems)
        for report in reports:
            _summarise(report, out)
        if args.dry_run:
            return _dry_run(reports, out)
        engine = sink.engine if sink is not None and sink.engine is not None else _engine(args, sink)
        added = 0
        for report in reports:
            summary = engine.store_import(report)
            added += summary.added
            _said(report, summary, out)
    finally:
        if sink is not None:
            sink.settle()  # (the child reaped on every path)
            sink.abandon(reports)  # a batch written while read and not committed: rolled back
    if added and engine.store.checklist_underway():  # else nothing to move: the planner stays unloaded
        from engine.planning.checklist import reconcile_checklist

        for change in reconcile_checklist(engine):
            print(f"checklist: {change}", file=out)
    from tui.cli.prices_command import fill_after

    fill_after(engine, out)  # an exchange that failed is said; the import itself succeeded
    # in the `harvest` process: the rows read and the engine are left to its exit (quick_exit.leave:
    # frozen out of the collector, which would otherwise scan every one of them once it is back on,
    # and never freed object by object), the store closed first; a caller's process frees them
    engine.store.close()
    quick_exit.leave((engine, reports))
    return 0


def _said(report: FileReport, summary: ImportSummary, out: TextIO) -> None:
    """What a file's import added and kept as it was."""
    print(f"imported {summary.added} new event(s) from {report.label} ({_already(summary)})", file=out)
    _overlap_warnings(summary, sys.stderr)
    if summary.conflicts:
        ids = ", ".join(key.rsplit("|", 1)[-1] for key in summary.conflicts[:10])
        more = f" and {len(summary.conflicts) - 10} more" if len(summary.conflicts) > 10 else ""
        print(f"warning: {len(summary.conflicts)} row(s) reuse a trade id the store holds with other values "
              f"(kept as stored; check the source): {ids}{more}", file=sys.stderr)  # fmt: skip


class _StoreSink:
    """engine.imports.columnar.PartSink for the one file of an import: the engine opened when
    the read offers its first part (engine.store.columnar_stream writes the parts as they are
    read), and a store this made removed again when the file is refused after all."""

    def __init__(self, args: argparse.Namespace, ahead: Ahead) -> None:
        self.args = args
        self.ahead = ahead  # a child parsing the config and making the store (import_ahead)
        self.engine: Engine | None = None
        self.offered = False  # a part offered: the columnar stream took the file
        self.new: tuple[Path, bool] | None = (
            None  # a store made here: its path, and whether its directory was
        )

    def take(
        self, parts: Iterator[pl.DataFrame | None], label: str
    ) -> EventFrame | None | Literal["declined"]:
        from engine.store.columnar_stream import write_while_read

        self.offered = True
        engine = self.engine or _engine(self.args, self)
        return write_while_read(engine.store.conn, engine.store.path, parts, label, engine.usd_assets)

    def forget_new_store(self) -> None:
        """The file was refused: a store made for it goes again (a refused file leaves none)."""
        if self.engine is None:
            return
        self.engine.store.close()
        if self.new is not None:
            _remove_store(*self.new)
        self.engine = None

    def settle(self) -> None:
        """The child done; a store it made that this import never opened (the import failed
        before, or refused its file) removed again."""
        self.ahead.wait()
        if self.engine is None and self.ahead.made is not None:
            _remove_store(*self.ahead.made)

    def abandon(self, reports: list[FileReport]) -> None:
        if not self.offered:  # nothing offered (polars never loaded)
            return
        from engine.store.columnar_stream import StreamedFrame

        for report in reports:
            if isinstance(report.frame, StreamedFrame):
                report.frame.abandon()


def _engine(args: argparse.Namespace, sink: _StoreSink | None) -> Engine:
    """open_engine, once a child working ahead is done (the config then read from its cache, the
    store opened as it made it); the sink holds the engine and the store made for this import
    (by the child, or by this open), which a refused file removes again."""
    if sink is None:
        return open_engine(args)
    from engine.store.connection import default_store_path

    sink.ahead.wait()
    path = default_store_path()
    made = sink.ahead.made or ((path, path.parent.exists()) if not path.exists() else None)
    sink.engine = open_engine(args)
    sink.new = made
    return sink.engine


def _remove_store(path: Path, directory_existed: bool) -> None:
    for suffix in ("", "-wal", "-shm", "-journal"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    if not directory_existed:
        with contextlib.suppress(OSError):  # (only if empty)
            path.parent.rmdir()


def _is_address(text: str) -> bool:
    from engine.imports.etherscan import ADDRESS  # the formats load only for a file that needs them

    return ADDRESS.match(text) is not None


def _summarise(report: FileReport, out: TextIO) -> None:
    """What the file held: format and layout, what its rows became, what was skipped, and what
    is kept but left out of results (unclassified rows, values without a USD price)."""
    counts = report.counts()
    account = f", account {report.account}" if report.account else ""
    print(f"{report.label}: {report.format.name} ({report.version}){account}", file=out)
    parts = [f"{counts[k]} {name}" for k, name in (("trade", "trade(s)"), ("transfer", "transfer(s)"),
             ("income", "income"), ("fee", "fee row(s)"), ("migration", "migration(s)")) if counts[k]]  # fmt: skip
    fees, in_crypto = report.fees()
    if fees:
        parts.append(f"{fees} with a fee ({in_crypto} paid in crypto)" if in_crypto else f"{fees} with a fee")
    print(f"  {report.event_count} event(s): {', '.join(parts) or 'none'}", file=out)
    skipped = report.parsed.skipped
    if skipped:
        kinds = ", ".join(f"{kind} {n}" for kind, n in sorted(skipped.items()))
        print(f"  skipped {sum(skipped.values())} internal row(s): {kinds}", file=out)
    for note in report.parsed.notes:
        print(f"  note: {note}", file=out)
    unclassified = report.unclassified()
    if unclassified:
        print(f"  unclassified, kept but left out of results until classified: {len(unclassified)}", file=out)
        for line, event in unclassified[:SHOWN]:
            print(f"    {report.label}:{line}: {event.note} ({event.asset})", file=out)
        _more(len(unclassified), out)
    priced = report.needs_price()
    if priced:
        print(f"  needs a USD price, kept but left out of results until priced: {len(priced)}", file=out)
        for line, event, why in priced[:SHOWN]:
            print(f"    {report.label}:{line}: {event.side} {event.asset}: {why}", file=out)
        _more(len(priced), out)


def _more(count: int, out: TextIO) -> None:
    if count > SHOWN:
        print(f"    … and {count - SHOWN} more", file=out)


def _dry_run(reports: list[FileReport], out: TextIO) -> int:
    """How many events would be new, from the store as it is (opened read-only, never created)."""
    from engine.api import batch_source
    from engine.store.connection import default_store_path
    from engine.store.store import ImportSummary, keys_of, open_store

    path = default_store_path()
    store = open_store(path, readonly=True) if path.exists() else None
    try:
        for report in reports:
            keyed = keys_of(report.events)
            summary = (
                store.preview_import(keyed, batch_source(report))
                if store is not None
                else ImportSummary(None, len(keyed), len(keyed))
            )
            print(f"dry run: {summary.added} new event(s) from {report.label} ({_already(summary)}); "
                  "nothing written", file=out)  # fmt: skip
            _overlap_warnings(summary, sys.stderr)
    finally:
        if store is not None:
            store.close()
    return 0


def _already(summary: ImportSummary) -> str:
    """`5 already in the store`, and how many of those are fills synced from the exchange."""
    already = f"{summary.duplicates} already in the store"
    if summary.other_source:
        already += f", {summary.other_source} of them already synced from the exchange"
    return already


def _overlap_warnings(summary: ImportSummary, err: TextIO) -> None:
    """File rows kept beside fills synced for the same account and pair (never merged by guess)."""
    for overlap in summary.overlaps:
        print(f"warning: {overlap.rows} row(s) overlap fills already synced for account {overlap.account} "
              f"{overlap.dates()} and match none of them: kept (a row that is a whole order is not one "
              "fill; see README: Files and sync together)", file=err)  # fmt: skip


def _list_formats(out: TextIO) -> int:
    from engine.imports.registry import FORMATS

    for fmt in FORMATS:
        layouts = ", ".join(
            f"{v.label} ({len(v.header)} columns)" if v.header else v.label for v in fmt.versions
        )
        print(f"{fmt.key}: {fmt.name}", file=out)
        print(f"  export: {fmt.export_path}", file=out)
        if layouts:
            print(f"  layouts: {layouts}", file=out)
        print(f"  reads: {fmt.reads}", file=out)
        print(f"  skips: {fmt.skips}", file=out)
    return 0
