"""What an importer declares and what it hands back: a Format (name, layout versions with their
header and preamble, the export path in the exchange's UI, a parse function), the Table it
reads and the Parsed rows it returns. engine.imports.registry lists the formats and detects
which one a file is."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import field
from datetime import tzinfo

from engine.core.lean_dataclass import lean_dataclass
from engine.core.units import EpochMicros
from engine.ledger.events import Event

# What a row became, as the import summary counts it
TRADE, TRANSFER, INCOME, FEE, MIGRATION, UNCLASSIFIED = (
    "trade",
    "transfer",
    "income",
    "fee",
    "migration",
    "unclassified",
)


@lean_dataclass(frozen=True)
class Version:
    """One layout of a format, as the exchange served it at some time."""

    label: str  # when it was served ("2025"); the summary adds the column count
    header: tuple[str, ...]  # the header row exactly as the exchange writes it
    preamble: int = 0  # how many lines the export may put before the header (skipped)

    def matches(self, record: list[str], index: int) -> bool:
        return index <= self.preamble and normalized(record) == normalized(list(self.header))


def normalized(record: list[str]) -> tuple[str, ...]:
    """A header row compared without case, surrounding spaces or trailing empty cells."""
    names = [cell.strip().lower() for cell in record]
    while names and not names[-1]:
        names.pop()
    return tuple(names)


@lean_dataclass(frozen=True)
class Options:
    """How to read a file: the command line's --account, --timezone, --address and --map."""

    account: str | None  # --account: the account every row lands in (else the format's default)
    zone: tzinfo | None  # --timezone: the zone of times written without one
    latest: EpochMicros | None  # refuse rows dated after this (a day past now)
    address: str | None = None  # --address: the own wallet address of an explorer export (Etherscan)
    custom: Format | None = None  # --map: a format made from the user's mapping file


@lean_dataclass()
class Table:
    """A file after detection: its header and the rows after it as (line, cells); blank rows
    are dropped, and a row whose cells do not fit the header is already a problem."""

    label: str
    text: str
    header: list[str]
    header_line: int
    rows: Iterator[tuple[int, list[str]]]


@lean_dataclass()
class Parsed:
    """What a format's parse made of a table: events with their line and what each became,
    internal rows skipped by type, and every problem (any problem refuses the whole file)."""

    events: list[Event] = field(default_factory=list)
    lines: list[int] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)
    skipped: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, event: Event, line: int, kind: str) -> None:
        self.events.append(event)
        self.lines.append(line)
        self.kinds.append(kind)


Parse = Callable[[Table, Options, Parsed], None]


@lean_dataclass(frozen=True)
class Format:
    """A file format harvest reads. `core` names the columns that still identify it in a layout
    not listed in `versions` (exchanges add columns); `zone` is the zone its zone-less times are
    in (Kraken: UTC), None when the user must say (--timezone)."""

    key: str  # --format NAME
    name: str  # "Coinbase transaction history"
    export_path: str  # where the exchange's UI offers the download
    reads: str  # what becomes events (for --formats and the README)
    skips: str  # what is left out as internal
    versions: tuple[Version, ...]
    parse: Parse
    core: frozenset[str] = frozenset()
    default_account: str | None = None
    zone: str | None = None
    footer: str = ""  # a row whose first filled cell starts with this closes the export (skipped)
    # names the layout from its header when it cannot be listed exactly (Gemini's per-asset
    # columns, Etherscan's column named with the day's price); None when it is not this format's
    layout: Callable[[list[str]], str | None] | None = None


HEAD_RECORDS = 50  # the records detection reads (a quoted multi-line disclaimer is one)


@lean_dataclass(frozen=True)
class Detected:
    """Which format a file is (engine.imports.registry.detect), and where its header is."""

    format: Format
    version: str  # "2025, 13 columns", or "a layout not seen before, 14 columns"
    index: int  # which record of the head is the header
