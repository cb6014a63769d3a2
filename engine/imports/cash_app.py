"""Cash App statement CSV: Cash App → Activity (or the profile) → Documents → Export CSV, in its
current layout (Date first) and the older one (Transaction ID first).

Only its bitcoin rows are crypto. A Bitcoin Buy (recurring or not) buys `Asset Amount` BTC for
`Amount` dollars plus `Fee` (so the basis is the Net Amount paid); a Bitcoin Sale sells it for
`Amount` less `Fee` (the Net Amount received); a Bitcoin Withdrawal or Deposit (on-chain or
Lightning) is a transfer, its fee (printed in dollars) paid in BTC: fee ÷ Asset Price of it, worth
the fee; a Bitcoin Boost is income at its `Amount`. Every other row moves dollars only (card
payments, P2P, cash in and out, stocks) and is skipped by type, as are Account Notifications.
Rows whose Status is FAILED (or CANCELED, DECLINED) moved nothing: skipped and listed by line.
Times carry their zone as `EST`/`EDT` (America/New_York); money is `$1,234.56`, with negatives as
`($12.00)` or `-$12.00`."""

from __future__ import annotations

from dataclasses import replace

from engine.core import fixedpoint as fp
from engine.core.units import Amount
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
from engine.imports.row_events import Flow, Origin, income, trade, transfer, unclassified
from engine.imports.rows import Cells
from engine.ledger.events import USD

BUYS = frozenset({"bitcoin buy", "bitcoin recurring buy", "bitcoin auto invest", "bitcoin round up"})
SALES = frozenset({"bitcoin sale", "bitcoin sell"})
OUT = frozenset({"bitcoin withdrawal", "bitcoin lightning withdrawal"})
IN = frozenset({"bitcoin deposit", "bitcoin lightning deposit"})
INCOME_TYPES = frozenset({"bitcoin boost", "bitcoin reward"})
NOT_DONE = frozenset({"FAILED", "CANCELED", "CANCELLED", "DECLINED"})

_COLUMNS = ("Transaction Type", "Currency", "Amount", "Fee", "Net Amount", "Asset Type", "Asset Price",
            "Asset Amount", "Status", "Notes", "Name of sender/receiver", "Account")  # fmt: skip
VERSIONS = (Version("date first", ("Date", "Transaction ID", *_COLUMNS)),
            Version("id first", ("Transaction ID", "Date", *_COLUMNS)))  # fmt: skip


def parse(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    if not cells.require(
        table.header_line, ("Date", "Transaction Type", "Amount", "Asset Type", "Asset Amount", "Status")
    ):
        return
    account = options.account or "cash app"
    not_done: list[int] = []
    for line, values in table.rows:
        cells.start(values, line)
        before = len(parsed.problems)
        timestamp = cells.time("Date", options.zone)
        kind_text = cells.get("Transaction Type")
        if not kind_text:
            cells.bad("Transaction Type", "missing value")
        kind, asset = kind_text.lower(), cells.get("Asset Type").upper()
        crypto = asset == "BTC" or "bitcoin" in kind
        amount = cells.number("Amount", required=crypto, money=True)
        fee = cells.number("Fee", required=False, money=True)
        price = cells.number("Asset Price", required=False, money=True, exact=False) if crypto else None
        quantity = cells.number("Asset Amount", required=crypto)
        if len(parsed.problems) > before or timestamp is None:
            continue
        status = cells.get("Status").upper()
        if status in NOT_DONE:
            parsed.skipped[f"{kind_text} ({status})"] += 1
            not_done.append(line)
            continue
        if not crypto:
            parsed.skipped[kind_text] += 1  # dollars only: payments, cash in and out, notifications
            continue
        assert amount is not None
        assert quantity is not None
        usd, fee_usd = Amount(abs(amount)), Amount(abs(fee or 0))
        bitcoin = Flow(asset or "BTC", Amount(abs(quantity)), usd)
        origin = Origin(account, timestamp, table.label, trade_id=cells.get("Transaction ID") or None,
                        note=cells.get("Notes") or kind_text)  # fmt: skip
        paid_fee = Flow(USD, fee_usd) if fee_usd else None
        if kind in BUYS or kind in SALES:
            cash = Flow(USD, usd)
            event = (
                trade(origin, cash, bitcoin, paid_fee)
                if kind in BUYS
                else trade(origin, bitcoin, cash, paid_fee)
            )
            assert event is not None
            parsed.add(event, line, TRADE)
        elif kind in OUT or kind in IN:
            # the network fee, printed in dollars, is paid in bitcoin: fee / price of it
            in_btc = (
                Flow(bitcoin.asset, Amount(fp.div_round(fee_usd * fp.SCALE, price)), fee_usd)
                if fee_usd and price
                else None
            )
            parsed.add(transfer(replace(origin, note=kind_text), bitcoin, outgoing=kind in OUT,
                                fee=in_btc or paid_fee), line, TRANSFER)  # fmt: skip
        elif kind in INCOME_TYPES:
            parsed.add(income(origin, bitcoin), line, INCOME)
        else:
            parsed.add(unclassified(replace(origin, note=kind_text), bitcoin), line, UNCLASSIFIED)
    if not_done:
        parsed.notes.append(f"rows that did not go through (failed, canceled or declined) skipped: lines "
                            f"{', '.join(map(str, not_done))}")  # fmt: skip


CASH_APP = Format(
    key="cash-app",
    name="Cash App statement",
    export_path="Cash App → Activity (or profile → Documents) → Export CSV",
    reads="bitcoin buys and sales (the fee on top: basis and proceeds are the Net Amount), withdrawals and "
    "deposits (the fee paid in bitcoin), Bitcoin Boost (income)",
    skips="rows in dollars only (card, P2P, cash in and out, stocks), account notifications, and rows that "
    "FAILED or were canceled (listed by line)",
    versions=VERSIONS,
    parse=parse,
    core=frozenset({"date", "transaction id", "transaction type", "asset type", "asset amount", "status"}),
    default_account="cash app",
    zone="America/New_York",
)
