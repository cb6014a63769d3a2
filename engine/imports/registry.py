"""The formats harvest reads, and which one a file is.

Detection reads the file's first 50 records (CSV rows; a quoted multi-line disclaimer is one),
and finds the header: first an exact layout (each Version's header, no more than its `preamble`
records into the file — a preamble is skipped only where the format says exports have one),
then, for a layout not listed, the first record holding all of a format's `core` columns (a
column an exchange adds does not break detection). `--format NAME` restricts the search to one
format and, failing that, takes the first line as its header (its parse then names what is
missing). harvest CSV comes last: it is the fallback for any file with its core columns.

Adding a format (Koinly, Gemini, …) is one module, one fixture and one test:
1. engine/imports/<name>.py: a `parse(table, options, parsed)` that reads `table.rows` with
   engine.imports.rows.Cells (money, signed numbers, times, FILE:LINE: column problems) and calls
   `parsed.add(event, line, kind)` per event, `parsed.skipped[type] += 1` per internal row, and
   keeps a row of an unknown type as an `unclassified` event (not a problem); and a `Format`
   with its key (`--format` name), name, export path in the exchange's UI, what it reads and
   skips, every layout Version (the header exactly as served, preamble lines allowed), its core
   columns, default account and the zone of zone-less times.
2. Add it to FORMATS below, before HARVEST_CSV. (A harvest CSV is told from its header before
   this module loads: engine.imports.harvest_header, whose test says what a new format's header
   must keep for that to hold.)
3. tests/fixtures/imports/<name>/<version>.csv with the export's quirks, and
   tests/engine/imports/test_<name>.py checking the events, lots and gains by hand.
4. Its row in the README's "Getting your data in" table.
"""

from __future__ import annotations

from engine.imports.binance_us import BINANCE_US
from engine.imports.cash_app import CASH_APP
from engine.imports.coinbase import COINBASE
from engine.imports.coinbase_pro import COINBASE_PRO_ACCOUNT, COINBASE_PRO_FILLS
from engine.imports.coinledger import COINLEDGER
from engine.imports.coinledger_template import COINLEDGER_TEMPLATE
from engine.imports.cointracker import COINTRACKER
from engine.imports.cointracker_template import COINTRACKER_TEMPLATE
from engine.imports.crypto_com import CRYPTO_COM
from engine.imports.electrum import ELECTRUM
from engine.imports.etherscan import ETHERSCAN_INTERNAL, ETHERSCAN_NORMAL
from engine.imports.etherscan_tokens import ETHERSCAN_TOKENS
from engine.imports.formats import HEAD_RECORDS as HEAD_RECORDS
from engine.imports.formats import Detected, Format, normalized
from engine.imports.gemini import GEMINI
from engine.imports.generic_csv import HARVEST_CSV
from engine.imports.koinly import KOINLY
from engine.imports.koinly_template import KOINLY_TEMPLATE
from engine.imports.kraken import KRAKEN_LEDGERS
from engine.imports.kraken_trades import KRAKEN_TRADES
from engine.imports.ledger_live import LEDGER_LIVE
from engine.imports.robinhood import ROBINHOOD
from engine.imports.trezor import TREZOR

FORMATS: tuple[Format, ...] = (
    COINBASE,
    COINBASE_PRO_FILLS,
    COINBASE_PRO_ACCOUNT,
    KRAKEN_LEDGERS,
    KRAKEN_TRADES,
    KOINLY,
    KOINLY_TEMPLATE,
    COINTRACKER,
    COINTRACKER_TEMPLATE,
    CRYPTO_COM,
    BINANCE_US,
    CASH_APP,
    ROBINHOOD,
    COINLEDGER,
    COINLEDGER_TEMPLATE,
    ETHERSCAN_TOKENS,
    ETHERSCAN_INTERNAL,
    ETHERSCAN_NORMAL,
    GEMINI,
    LEDGER_LIVE,
    ELECTRUM,
    TREZOR,
    HARVEST_CSV,
)


def by_key(key: str) -> Format | None:
    return next((f for f in FORMATS if f.key == key), None)


def detect(head: list[list[str]], forced: Format | None = None) -> Detected | None:
    """The format and layout of a file from its first records (see the module docstring)."""
    candidates = (forced,) if forced is not None else FORMATS
    for index, record in enumerate(head):
        for fmt in candidates:
            for version in fmt.versions:
                if version.header and version.matches(record, index):
                    return Detected(fmt, f"{version.label}, {len(version.header)} columns", index)
    for index, record in enumerate(head):
        names = normalized(record)
        for fmt in candidates:
            preamble = max((v.preamble for v in fmt.versions), default=0)
            if fmt.core and index <= preamble and fmt.core <= set(names):
                named = fmt.layout(record) if fmt.layout is not None else ""
                if named is None:
                    continue  # its core columns, but a layout this format says is not its own
                listed = any(v.header for v in fmt.versions)
                layout = f"{named}, " if named else "a layout not seen before, " if listed else ""
                return Detected(fmt, f"{layout}{len(names)} columns", index)
    if forced is not None and head:
        return Detected(forced, f"{len(normalized(head[0]))} columns", 0)
    return None
