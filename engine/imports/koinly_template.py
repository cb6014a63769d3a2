"""Koinly universal import template: the CSV users fill in for a wallet Koinly cannot read (Koinly
→ Wallets → Add wallet → Import from file → the universal template), one file per wallet.

A row with both sides is a trade valued at `Net Worth Amount` when `Net Worth Currency` is USD
(Label `swap` is Koinly's non-taxable swap: a migration carrying basis and dates); a row with
only a received side is income by Label (airdrop, fork, mining, reward, income, loan interest,
other income, staking), else a transfer in (a gift too); one with only a sent side is a spend
by Label (cost, interest payment, margin fee), else a transfer out (a gift or donation too).
The fee is ON TOP of the sent amount (the sent amount excludes it), in its own currency.
`stake` and `unstake` move coins inside the wallet (skipped; their fee is a spend). Lost coins
and liquidity pool rows are kept unclassified. Dates are `2024-03-05 14:22 UTC` (or without a
zone: UTC). The rows land in --account (default `koinly`)."""

from __future__ import annotations

from engine.core.units import Amount
from engine.imports.formats import (
    FEE,
    INCOME,
    MIGRATION,
    TRADE,
    TRANSFER,
    UNCLASSIFIED,
    Format,
    Options,
    Parsed,
    Table,
    Version,
)
from engine.imports.koinly import GIFT_LABELS, INCOME_LABELS, SPEND_LABELS, label_of
from engine.imports.row_events import (
    Flow,
    Origin,
    income,
    migration,
    read_flow,
    spend,
    trade,
    transfer,
    unclassified,
)
from engine.imports.rows import Cells
from engine.ledger.events import USD

HEADER = ("Date", "Sent Amount", "Sent Currency", "Received Amount", "Received Currency", "Fee Amount",
          "Fee Currency", "Net Worth Amount", "Net Worth Currency", "Label", "Description", "TxHash")  # fmt: skip
REQUIRED = ("Date", "Sent Amount", "Sent Currency", "Received Amount", "Received Currency")
INTERNAL_LABELS = frozenset({"stake", "unstake"})


def parse(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    if not cells.require(table.header_line, REQUIRED):
        return
    account = options.account or "koinly"
    for line, values in table.rows:
        cells.start(values, line)
        before = len(parsed.problems)
        timestamp = cells.time("Date", options.zone)
        worth = cells.number("Net Worth Amount", required=False, money=True)
        worth_currency = cells.get("Net Worth Currency").upper() or USD
        sent = read_flow(cells, "Sent Amount", "Sent Currency")
        received = read_flow(cells, "Received Amount", "Received Currency")
        fee = read_flow(cells, "Fee Amount", "Fee Currency")
        if len(parsed.problems) > before or timestamp is None:
            continue
        label_text = cells.get("Label")
        label = label_of(label_text)
        usd = Amount(abs(worth)) if worth is not None and worth_currency == USD else None
        origin = Origin(account, timestamp, table.label, tx_id=cells.get("TxHash") or None,
                        note=label_text or cells.get("Description") or None)  # fmt: skip
        if sent is not None and received is not None:
            if label == "swap":  # Koinly's non-taxable swap: basis and dates carry over
                parsed.add(migration(origin, sent, received), line, MIGRATION)
                if fee is not None:
                    parsed.add(spend(origin, fee), line, FEE)
            elif label.startswith("liquidity"):
                parsed.add(unclassified(origin, sent), line, UNCLASSIFIED)
            else:
                event = trade(origin, Flow(sent.asset, sent.quantity, usd), Flow(received.asset, received.quantity, usd),
                              fee)  # fmt: skip
                if event is None:
                    parsed.skipped[f"{label_text or 'trade'} ({sent.asset} to {received.asset})"] += 1
                else:
                    parsed.add(event, line, TRADE)
        elif sent is not None or received is not None:
            incoming = received is not None
            moved = received if received is not None else sent
            assert moved is not None
            moved = Flow(moved.asset, moved.quantity, usd)
            if label in INTERNAL_LABELS:
                parsed.skipped[label_text] += 1
                if fee is not None:
                    parsed.add(spend(origin, fee), line, FEE)
            elif label in (INCOME_LABELS if incoming else SPEND_LABELS):
                event = income(origin, moved, fee) if incoming else spend(origin, moved, fee)
                parsed.add(event, line, INCOME if incoming else TRADE)
            elif not label or label in GIFT_LABELS:
                parsed.add(transfer(origin, moved, outgoing=not incoming, fee=fee), line, TRANSFER)
            else:
                parsed.add(unclassified(origin, moved), line, UNCLASSIFIED)
        elif fee is not None:  # a fee on its own (Koinly allows a row with only a fee)
            parsed.add(spend(origin, fee), line, FEE)
        else:
            cells.bad("Sent Amount", "no amount sent, received or paid as a fee")


KOINLY_TEMPLATE = Format(
    key="koinly-template",
    name="Koinly universal template",
    export_path="the CSV you fill from Koinly's universal template (Koinly → Add wallet → Import from file)",
    reads="trades (valued at Net Worth when in USD), income and spends by Label, transfers in and out "
    "(gifts too), swaps (non-taxable: basis carried over), fees on top of the sent amount",
    skips="stake and unstake rows (inside the wallet; their fee is a spend)",
    versions=(Version("universal", HEADER),),
    parse=parse,
    core=frozenset(name.lower() for name in REQUIRED) | {"net worth amount", "label"},
    default_account="koinly",
    zone="UTC",
)
