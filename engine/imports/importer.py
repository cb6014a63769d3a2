"""Reading one file: detect its format, parse it all or nothing, and say what it held.

Any problem refuses the whole file (CsvImportError with every problem as FILE:LINE: column:
problem). A row of a type the format does not know is not a problem: it is kept as an
unclassified event and listed in the report. Truncation: an exchange export ends every row with
a line break, so one whose last row does not is refused whole as cut short (a row cut mid-way
also has too few cells); a file cut exactly at a row boundary cannot be told from a shorter
export, and imports the rows it has (the whole file, imported later, adds only the rest)."""

from __future__ import annotations

import csv
import io
import re
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import replace
from itertools import compress, repeat
from operator import itemgetter, ne
from pathlib import Path
from typing import TYPE_CHECKING
from zoneinfo import ZoneInfo

from engine.core.collector import paused_gc
from engine.core.errors import CsvImportError
from engine.core.lean_dataclass import lean_dataclass
from engine.imports import columnar
from engine.imports.formats import FEE, HEAD_RECORDS, UNCLASSIFIED, Format, Options, Parsed, Table
from engine.imports.generic_csv import HARVEST_CSV, same_id_conflicts
from engine.imports.harvest_header import harvest_detected
from engine.imports.rows import MAX_PROBLEMS
from engine.imports.xlsx import XLSX_MAGIC, xlsx_as_csv
from engine.ledger.events import USD, Event
from engine.ledger.legs import legs_for

if TYPE_CHECKING:
    from _csv import Reader

    from engine.imports.columnar import PartSink
    from engine.imports.event_frame import EventFrame

_USD = frozenset({USD})
_TRADES = frozenset({"buy", "sell"})
_SIDE, _PRICE, _FEE, _QUOTE, _FEE_ASSET = (
    itemgetter(2),
    itemgetter(5),
    itemgetter(6),
    itemgetter(7),
    itemgetter(8),
)
_USDS = repeat(USD)


@lean_dataclass()
class FileReport:
    """A file read whole: its format and layout, its events and what each became."""

    label: str
    format: Format
    version: str
    account: str | None
    parsed: Parsed
    # the columnar path's events (engine.imports.columnar): the store writes them as columns, and
    # parsed (a FrameParsed) builds its events, lines and kinds from them only when asked
    frame: EventFrame | None = None

    @property
    def events(self) -> list[Event]:
        return self.parsed.events

    @property
    def event_count(self) -> int:
        return self.frame.height if self.frame is not None else len(self.parsed.events)

    def counts(self) -> Counter[str]:
        """Events by what they are (trade, transfer, income, fee, migration, unclassified)."""
        if self.frame is not None:
            return self.frame.counts()
        return Counter(self.parsed.kinds)

    def fees(self) -> tuple[int, int]:
        """(rows carrying a fee, of which paid in crypto: each a disposal of it)."""
        if self.frame is not None:
            return self.frame.fees()
        if FEE not in self.parsed.kinds:  # (the commonest file) a column at a time
            fees = list(map(_FEE, self.events))
            return len(fees) - fees.count(0), sum(
                map(ne, compress(map(_FEE_ASSET, self.events), fees), _USDS)
            )
        paid = in_crypto = 0
        for event, kind in zip(self.events, self.parsed.kinds, strict=True):
            if kind == FEE or event.fee:
                paid += 1
                in_crypto += (event.asset if kind == FEE else event.fee_asset) != USD
        return paid, in_crypto

    def unclassified(self) -> list[tuple[int, Event]]:
        if self.frame is not None:
            return self.frame.unclassified()
        return self._in_line_order(kind == UNCLASSIFIED for kind in self.parsed.kinds)

    def needs_price(self) -> list[tuple[int, Event, str]]:
        """Events kept without a USD value: left out of results until priced (never as zero)."""
        if self.frame is not None:
            return self.frame.needs_price()
        events = self.events
        if (
            _TRADES.issuperset(map(_SIDE, events))
            and _USD.issuperset(map(_QUOTE, events))
            and _USD.issuperset(map(_FEE_ASSET, events))
            and None not in map(_PRICE, events)
        ):
            return []  # USD trades, each with its price, fees in USD (the commonest file): _valued, a column at a time
        found = []
        unvalued = (
            kind != UNCLASSIFIED and not _valued(e)
            for e, kind in zip(self.events, self.parsed.kinds, strict=True)
        )
        for line, event in self._in_line_order(unvalued):
            flags = [leg.flag for leg in legs_for(event, 0, _USD) if leg.flag]
            if flags:
                found.append((line, event, flags[0]))
        return found

    def _in_line_order(self, wanted: Iterable[bool]) -> list[tuple[int, Event]]:
        """(line, event) of the wanted rows in line order (a format may emit grouped rows last);
        picked before sorting, since they are few."""
        picked = compress(zip(self.parsed.lines, self.events, strict=True), wanted)
        return sorted(picked, key=itemgetter(0))


def _valued(event: Event) -> bool:
    """A record the legs surely value in USD (a USD trade or reward with its value, a trade in
    another quote with its USD value given; its fee in USD or in the asset): the common case,
    answered without building its legs."""
    transfer = event.side in ("transfer_in", "transfer_out")
    crypto_fee = bool(event.fee) and event.fee_asset != USD and event.fee_usd is None
    if crypto_fee and (event.fee_asset != event.asset or transfer):
        return False
    if transfer:
        return True
    if event.quote != USD:
        return event.value_usd is not None
    return event.subtotal is not None or event.price is not None


def read_file(
    path: Path, options: Options, format_key: str | None = None, sink: PartSink | None = None
) -> FileReport:
    """A file read whole (`read_text`). `sink`: where a large harvest CSV may be written while it
    is read (engine.imports.columnar.PartSink); its report's store_import then commits it."""
    label = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise CsvImportError(label, [f"{label}: cannot read: {exc.strerror or exc}"]) from None
    if raw.startswith(XLSX_MAGIC):  # a spreadsheet (Gemini), whatever its name: read as rows
        return read_text(xlsx_as_csv(path, label), label, options, format_key, sink)
    try:
        text = raw.decode("utf-8-sig")  # tolerate the BOM spreadsheets write
    except UnicodeDecodeError as exc:
        raise CsvImportError(label, [f"{label}: not UTF-8 text (byte {exc.start})"]) from None
    del raw  # a large file's bytes are not kept beside its text (the columnar path encodes a part at a time)
    return read_text(text, label, options, format_key, sink)


def read_text(
    text: str, label: str, options: Options, format_key: str | None = None, sink: PartSink | None = None
) -> FileReport:
    """A file's text read whole, or CsvImportError listing every problem."""
    with paused_gc():  # a row or two of tuples per line, none of them cyclic
        return _read_text(text, label, options, format_key, sink)


def _read_text(
    text: str, label: str, options: Options, format_key: str | None, sink: PartSink | None
) -> FileReport:
    forced = options.custom
    if format_key is not None:
        from engine.imports.registry import by_key

        forced = by_key(format_key)
        if forced is None:
            raise CsvImportError(
                label, [f"--format: unknown format {format_key!r}; see harvest import --formats"]
            )
    if "\x00" in text:
        raise CsvImportError(label, [f"{label}: binary data (NUL byte); not a CSV file"])
    reader = csv.reader(_lines(text), delimiter=_delimiter(text), strict=True)
    head: list[tuple[int, list[str]]] = []
    try:
        for record in reader:
            head.append((reader.line_num, record))
            if len(head) >= HEAD_RECORDS:
                break
    except csv.Error as exc:
        if not head:
            raise CsvImportError(label, [f"{label}:1: header: {exc}"]) from None
    if not any(any(cell.strip() for cell in record) for _, record in head):
        raise CsvImportError(label, [f"{label}:1: header: the file is empty; expected a header row"])
    records = [record for _, record in head]
    # a harvest CSV by its own header, without loading the other formats; else every format
    detected = harvest_detected(records) if forced is None else None
    if detected is None:
        from engine.imports.registry import detect

        detected = detect(records, forced)
    if detected is None:
        first = next(",".join(r) for _, r in head if any(c.strip() for c in r))
        raise CsvImportError(label, [
            f"{label}:1: header: not a format harvest reads (first line: {first[:80]!r}); "
            "`harvest import --formats` lists them, --format NAME forces one"
        ])  # fmt: skip
    fmt = detected.format
    header_line, header = head[detected.index]
    parsed = Parsed()
    rows = _rows(label, header, head[detected.index + 1 :], reader, parsed.problems, fmt.footer)
    zone = options.zone
    if fmt.zone is not None:
        if options.zone is not None:
            parsed.notes.append(f"--timezone not used: {fmt.name} writes its times in {fmt.zone}")
        zone = ZoneInfo(fmt.zone)
    account = options.account or fmt.default_account
    reading = replace(options, account=account, zone=zone)
    if columnar.wanted(fmt, text, label, options):
        found = columnar.read_columnar(fmt, text, label, head[detected.index], reading, sink)
        if found is not None:  # else the row path reads it all (and names any problem)
            from engine.imports.event_frame import FrameParsed

            frame, skipped = found
            if account is None and len(accounts := frame.accounts()) == 1:
                account = accounts.pop()
            return FileReport(
                label, fmt, detected.version, account, FrameParsed(frame, skipped, parsed.notes), frame
            )
    fmt.parse(Table(label, text, header, header_line, rows), reading, parsed)
    if fmt is not HARVEST_CSV:
        if not text.endswith(("\n", "\r")):
            # exports end every row with a line break: without one the last row may be cut short
            parsed.problems.append(
                f"{label}:{text.count(chr(10)) + 1}: row: the last row does not end with a line break; "
                "the file looks cut short (download it again)"
            )
        parsed.problems += same_id_conflicts(label, list(zip(parsed.lines, parsed.events, strict=True)))
        for line, event in zip(parsed.lines, parsed.events, strict=True):
            if (why := event.out_of_range()) is not None:
                parsed.problems.append(f"{label}:{line}: row: {why}")
    if parsed.problems:
        raise CsvImportError(label, parsed.problems[: MAX_PROBLEMS + 1])
    if account is None and len(accounts := {e.account for e in parsed.events}) == 1:
        account = accounts.pop()  # named by the file itself (an Etherscan address, a wallet)
    return FileReport(label, fmt, detected.version, account, parsed)


_LINE = re.compile(r"[^\r\n]*(?:\r\n?|\n)|[^\r\n]+\Z")
_FIRST_LINES = 64  # enough for the head detection reads, in most files


def _lines(text: str) -> Iterator[str]:
    """The text's lines as io.StringIO(text, newline="") gives them (line breaks kept). The
    first ones are found in place: a file read in columns needs only its head, and StringIO
    copies the whole text first (50 ms for 100,000 rows)."""
    at = 0
    for _ in range(_FIRST_LINES):
        line = _LINE.match(text, at)
        if line is None:
            return
        yield line.group()
        at = line.end()
    yield from io.StringIO(text[at:], newline="")


def _delimiter(text: str) -> str:
    """`;` for a file whose first line has more semicolons than commas (Trezor Suite), else `,`."""
    start = 0
    while text[start : start + 1] in ("\r", "\n"):  # (not lstrip: that copies the whole text)
        start += 1
    end = text.find("\n", start)
    first = text[start : end if end >= 0 else len(text)]
    return ";" if first.count(";") > first.count(",") else ","


def _rows(
    label: str,
    header: list[str],
    head: list[tuple[int, list[str]]],
    reader: Reader,
    problems: list[str],
    footer: str = "",
) -> Iterator[tuple[int, list[str]]]:
    """Rows after the header (the rest of the head, then the reader) that fit it: blank rows and
    the export's closing note (`footer`) dropped, empty cells past the header ignored, and a row
    with too few or too many cells a problem (a file cut short ends that way); a broken quote
    ends the file as a problem."""
    width = len(header)

    def is_footer(cells: list[str]) -> bool:
        first = next((c for c in cells if c.strip()), "")
        return bool(footer) and first.strip().startswith(footer)

    def fits(line: int, cells: list[str]) -> list[str] | None:
        if not any(c.strip() for c in cells) or is_footer(cells):
            return None
        if len(cells) == width:
            return cells
        if len(cells) > width and not any(c.strip() for c in cells[width:]):
            return cells[:width]
        problems.append(f"{label}:{line}: row: {len(cells)} cells, header has {width}")
        return None

    for line, record in head:
        if (cells := fits(line, record)) is not None:
            yield line, cells
    try:
        for record in reader:
            if len(record) == width and any(record) and not (footer and is_footer(record)):  # the common row
                yield reader.line_num, record
            elif (cells := fits(reader.line_num, record)) is not None:
                yield reader.line_num, cells
            if len(problems) >= MAX_PROBLEMS:
                problems.append(f"{label}: stopped after {MAX_PROBLEMS} problems")
                return
    except csv.Error as exc:
        problems.append(f"{label}:{reader.line_num}: row: {exc}")
