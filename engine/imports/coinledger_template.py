"""CoinLedger universal import template: the CSV users fill in for a platform CoinLedger cannot
read (CoinLedger → Import → Universal CSV template).

Each row lands in the account named by its Platform (or --account; `coinledger` when blank).
Type: Trade goes from what was sent to what was received (a USD side gives its value; crypto for
crypto has none in this template and is flagged as needing a price); Deposit and Withdrawal are
transfers in and out (the fee on top, in its own currency), Gift Received and Gift Sent too
(without a sale); Income, Interest, Staking, Airdrop, Mining and Hard Fork are income (flagged:
the template has no value); Merchant Payment is a spend; casualty, theft and investment losses
are kept unclassified. Dates are US style, `06/14/2023 18:49:21`, in UTC."""

from __future__ import annotations

from dataclasses import replace

from engine.imports.coinledger import INCOME_TYPES, LOSS_TYPES
from engine.imports.formats import (
    INCOME,
    TRADE,
    TRANSFER,
    UNCLASSIFIED,
    Format,
    Options,
    Parsed,
    Table,
    Version,
)
from engine.imports.row_events import FIAT, Origin, income, read_flow, spend, trade, transfer, unclassified
from engine.imports.rows import Cells

HEADER = ("Date (UTC)", "Platform (Optional)", "Asset Sent", "Amount Sent", "Asset Received", "Amount Received",
          "Fee Currency (Optional)", "Fee Amount (Optional)", "Type", "Description (Optional)", "TxHash (Optional)")  # fmt: skip
IN_TYPES = frozenset({"deposit", "gift received"})
OUT_TYPES = frozenset({"withdrawal", "gift sent"})


def parse(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    if not cells.require(
        table.header_line,
        ("Date (UTC)", "Asset Sent", "Amount Sent", "Asset Received", "Amount Received", "Type"),
    ):
        return
    platforms: set[str] = set()
    for line, values in table.rows:
        cells.start(values, line)
        before = len(parsed.problems)
        timestamp = cells.time("Date (UTC)", options.zone)
        kind_text = cells.get("Type")
        if not kind_text:
            cells.bad("Type", "missing value")
        sent = read_flow(cells, "Amount Sent", "Asset Sent")
        received = read_flow(cells, "Amount Received", "Asset Received")
        fee = read_flow(cells, "Fee Amount (Optional)", "Fee Currency (Optional)")
        if len(parsed.problems) > before or timestamp is None:
            continue
        kind = kind_text.lower()
        account = options.account or cells.get("Platform (Optional)") or "coinledger"
        origin = Origin(account, timestamp, table.label, tx_id=cells.get("TxHash (Optional)") or None,
                        note=cells.get("Description (Optional)") or kind_text)  # fmt: skip
        moved = received if received is not None else sent
        if moved is None:
            cells.bad("Amount Sent", f"missing value (a {kind_text} moves an amount)")
            continue
        platforms.add(account)
        if kind == "trade":
            if sent is None or received is None:
                cells.bad(
                    "Amount Sent" if sent is None else "Amount Received",
                    "missing value (a Trade has both sides)",
                )
                continue
            event = trade(origin, sent, received, fee)
            if event is None:
                parsed.skipped[f"{kind_text} ({sent.asset} to {received.asset})"] += 1
            else:
                parsed.add(event, line, TRADE)
        elif moved.asset in FIAT and kind in IN_TYPES | OUT_TYPES:
            parsed.skipped[f"{kind_text} ({moved.asset})"] += 1  # cash in and out
        elif kind in IN_TYPES and received is not None:
            parsed.add(transfer(origin, received, outgoing=False, fee=fee), line, TRANSFER)
        elif kind in OUT_TYPES and sent is not None:
            parsed.add(transfer(origin, sent, outgoing=True, fee=fee), line, TRANSFER)
        elif kind in INCOME_TYPES and received is not None:
            parsed.add(income(origin, received, fee), line, INCOME)
        elif kind == "merchant payment" and sent is not None:
            parsed.add(spend(origin, sent, fee), line, TRADE)
        else:  # losses (LOSS_TYPES) and types harvest does not know
            note = (
                kind_text if kind in LOSS_TYPES or origin.note == kind_text else f"{kind_text}: {origin.note}"
            )
            parsed.add(unclassified(replace(origin, note=note), moved), line, UNCLASSIFIED)
    if not options.account and platforms - {"coinledger"}:
        parsed.notes.append(f"rows land in the accounts named by their platform: {', '.join(sorted(platforms))} "
                            "(--account NAME puts them all in one)")  # fmt: skip


COINLEDGER_TEMPLATE = Format(
    key="coinledger-template",
    name="CoinLedger universal template",
    export_path="the CSV you fill from CoinLedger's universal import template",
    reads="trades (in USD; crypto for crypto flagged as needing a price), deposits and withdrawals (the fee on "
    "top), gifts, income types (flagged: no value in the template), merchant payments; each in the account "
    "named by its Platform",
    skips="cash deposits and withdrawals; losses are kept unclassified",
    versions=(Version("universal", HEADER),),
    parse=parse,
    core=frozenset({"date (utc)", "asset sent", "amount sent", "asset received", "amount received", "type"}),
    zone="UTC",
)
