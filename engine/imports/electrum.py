"""Electrum history export: Electrum → Wallet → History → Export (CSV), in its layouts (3.x and
4.x with confirmations, fiat value and fee; older ones without).

`value` is signed in BTC: a positive one is a receive; a negative one is a send whose |value|
includes the network fee, so what left for the other side is |value| − fee and the fee is a
disposal of BTC (the oldest layouts have no fee column: the whole |value| is sent). The fiat
columns are in whatever currency the wallet was set to, which the file does not name, so they are
not read: fees need a USD price. `timestamp` is the exporting computer's local time without a
zone: pass --timezone (refused without it). Unconfirmed transactions are skipped."""

from __future__ import annotations

from engine.core import fixedpoint as fp
from engine.core.units import Amount
from engine.imports.chain_ids import number_repeats
from engine.imports.formats import TRANSFER, Format, Options, Parsed, Table, Version
from engine.imports.rows import Cells
from engine.ledger.events import Event

VERSIONS = (
    Version(
        "4.x",
        ("transaction_hash", "label", "confirmations", "value", "fiat_value", "fee", "fiat_fee", "timestamp"),
    ),  # fmt: skip
    Version("3.x", ("transaction_hash", "label", "confirmations", "value", "timestamp")),
    Version("2.x", ("transaction_hash", "label", "value", "timestamp")),
)
PENDING = {"unconfirmed", "pending", "local", "unknown", "future"}


def parse(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    cells.require(table.header_line, ("transaction_hash", "value", "timestamp"))
    if options.zone is None:
        parsed.problems.append(
            f"{table.label}:{table.header_line}: timestamp: Electrum writes the exporting computer's local time "
            "without a zone; pass --timezone ZONE (e.g. America/New_York)"
        )
    if parsed.problems:
        return
    account = options.account or "electrum"
    for line, row in table.rows:
        cells.start(row, line)
        if cells.get("timestamp").lower() in PENDING or cells.get("confirmations") == "0":
            parsed.skipped["unconfirmed"] += 1
            continue
        before = len(parsed.problems)
        timestamp = cells.time("timestamp", options.zone)
        value = cells.number("value")
        fee = cells.number("fee", required=False) if cells.has("fee") else None
        tx = cells.get("transaction_hash")
        if not tx:
            cells.bad("transaction_hash", "missing value")
        if len(parsed.problems) > before or timestamp is None or value is None:
            continue
        fee = Amount(abs(fee or 0))
        label = cells.get("label") or None
        event = Event(account=account, asset="BTC", side="transfer_in", timestamp=timestamp, quantity=value,
                      price=None, fee=Amount(0), fee_asset="BTC", tx_id=tx, note=label, source=table.label)  # fmt: skip
        if value > 0:
            parsed.add(event, line, TRANSFER)
        elif value < 0:
            if fee > -value:
                cells.bad("fee", f"more than the value sent ({fp.fmt(-value, 0)})")
                continue
            parsed.add(
                event._replace(side="transfer_out", quantity=Amount(-value - fee), fee=fee), line, TRANSFER
            )
        else:
            parsed.skipped["zero value"] += 1
    number_repeats(parsed)


ELECTRUM = Format(
    key="electrum",
    name="Electrum history",
    export_path="Electrum → Wallet → History → Export (CSV); times are the computer's: pass --timezone",
    reads="receives and sends of BTC (a send's |value| less its fee; the fee a disposal of BTC)",
    skips="unconfirmed transactions; the fiat columns (their currency is not in the file)",
    versions=VERSIONS,
    parse=parse,
    core=frozenset({"transaction_hash", "label", "value", "timestamp"}),
    default_account="electrum",
)
