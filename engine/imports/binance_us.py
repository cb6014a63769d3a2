"""Binance.US transaction history (the tax report): binance.us → Profile → Tax Documents (or
Transaction History) → Generate → Download CSV, with its column names spelled with spaces
(`Primary Asset`) or, in older files, with underscores (`Primary_Asset`).

Every row carries USD values. Deposits and withdrawals of crypto are transfers (a withdrawal's
fee in `Fee Asset`, at its USD value); cash in and out is skipped. Distributions are income at
their USD value (staking rewards, referral commissions, others — airdrops and promotions); a
negative staking reward is Binance.US's staking service fee, a spend. Buy, Sell, Quick Buy and
Convert rows go from the Base asset to the Quote asset; Spot Trading rows buy or sell the Base
for the Quote by Operation (a blank quote amount in USD, USDT or BUSD is taken from its USD
column). A trade's fee is in its own asset at its USD value. Times are UTC without a zone."""

from __future__ import annotations

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
from engine.imports.row_events import FIAT, Flow, Origin, income, spend, trade, transfer, unclassified
from engine.imports.rows import Cells

SWAPS = frozenset({"buy", "sell", "quick buy", "quick sell", "convert"})  # Base -> Quote
USD_LIKE = frozenset({"USD", "USDT", "BUSD"})  # a blank quote amount is its USD value

_SPACED = ("User ID", "Time", "Category", "Operation", "Order ID", "Transaction ID", "Primary Asset",
           "Realized Amount For Primary Asset", "Realized Amount for Primary Asset in USD", "Base Asset",
           "Realized Amount For Base Asset", "Realized Amount For Base Asset In USD", "Quote Asset",
           "Realized Amount for Quote Asset", "Realized Amount for Quote Asset in USD", "Fee Asset",
           "Realized Amount for Fee Asset", "Realized Amount for Fee Asset in USD", "Payment Method",
           "Withdraw Method", "Additional Note")  # fmt: skip
_UNDERSCORED = ("User_Id", "Time", "Category", "Operation", "Order_Id", "Transaction_Id", "Primary_Asset",
                "Realized_Amount_For_Primary_Asset", "Realized_Amount_For_Primary_Asset_In_USD_Value", "Base_Asset",
                "Realized_Amount_For_Base_Asset", "Realized_Amount_For_Base_Asset_In_USD_Value", "Quote_Asset",
                "Realized_Amount_For_Quote_Asset", "Realized_Amount_For_Quote_Asset_In_USD_Value", "Fee_Asset",
                "Realized_Amount_For_Fee_Asset", "Realized_Amount_For_Fee_Asset_In_USD_Value", "Payment_Method",
                "Withdrawal_Method", "Additional_Note")  # fmt: skip
VERSIONS = (Version("tax report", _SPACED), Version("underscored", _UNDERSCORED))
_FIELDS = ("id", "time", "category", "operation", "order", "transaction", "primary", "primary_amount", "primary_usd",
           "base", "base_amount", "base_usd", "quote", "quote_amount", "quote_usd", "fee", "fee_amount", "fee_usd")  # fmt: skip


class _Columns:
    """Each field's column as this file spells it (spaces or underscores)."""

    def __init__(self, cells: Cells) -> None:
        self.names = {field: cells.first(spaced, underscored) or spaced
                      for field, spaced, underscored in zip(_FIELDS, _SPACED, _UNDERSCORED, strict=False)}  # fmt: skip

    def __getitem__(self, field: str) -> str:
        return self.names[field]


def _flow(cells: Cells, c: _Columns, name: str) -> Flow | None:
    """The asset, amount (its sign dropped) and USD value of one of the row's assets."""
    asset = cells.get(c[name]).upper()
    amount = cells.number(c[f"{name}_amount"], required=False)
    usd = cells.number(c[f"{name}_usd"], required=False, money=True)
    usd_value = None if usd is None else Amount(abs(usd))
    if amount is None and asset in USD_LIKE and usd_value is not None and name == "quote":
        amount = usd_value  # a spot trade's blank quote amount in a dollar asset: its USD value
    if not asset or not amount:
        return None
    return Flow(asset, Amount(abs(amount)), usd_value)


def parse(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    c = _Columns(cells)
    if not cells.require(
        table.header_line, (c[field] for field in ("time", "category", "primary", "primary_amount"))
    ):
        return
    account = options.account or "binance.us"
    for line, values in table.rows:
        cells.start(values, line)
        before = len(parsed.problems)
        timestamp = cells.time(c["time"], options.zone)
        category_text, operation = cells.get(c["category"]), cells.get(c["operation"])
        if not category_text:
            cells.bad(c["category"], "missing value")
        signed = cells.number(c["primary_amount"], required=False)
        primary, base, quote, fee = (_flow(cells, c, name) for name in ("primary", "base", "quote", "fee"))
        if len(parsed.problems) > before or timestamp is None:
            continue
        category = category_text.lower()
        row_id = cells.get(c["transaction"]) or cells.get(c["order"]) or None
        origin = Origin(account, timestamp, table.label, trade_id=row_id,
                        note=f"{category_text} {operation}".strip())  # fmt: skip
        if category in SWAPS or category == "spot trading":
            if base is None or quote is None:
                missing = c["base_amount"] if base is None else c["quote_amount"]
                cells.bad(missing, f"missing value (a {category_text} trade has both sides)")
                continue
            selling = category in SWAPS or operation.lower() == "sell"
            event = trade(origin, base, quote, fee) if selling else trade(origin, quote, base, fee)
            if event is None:
                parsed.skipped[f"{category_text} ({base.asset} to {quote.asset})"] += 1
            else:
                parsed.add(event, line, TRADE)
            continue
        if primary is None or signed is None:
            cells.bad(c["primary_amount"], f"missing value (a {category_text} moves an amount)")
            continue
        if category in ("deposit", "withdrawal") and primary.asset in FIAT:
            parsed.skipped[f"{category_text} ({primary.asset})"] += 1  # cash in and out
        elif category in ("deposit", "withdrawal"):
            parsed.add(transfer(origin, primary, outgoing=category == "withdrawal", fee=fee), line, TRANSFER)
        elif category == "distribution" and signed > 0:
            parsed.add(income(origin, primary, fee), line, INCOME)
        elif category == "distribution" and operation.lower() == "staking rewards":
            parsed.add(spend(origin, primary, fee), line, TRADE)  # a negative reward: the service fee
        else:
            parsed.add(unclassified(origin, primary), line, UNCLASSIFIED)


BINANCE_US = Format(
    key="binance-us",
    name="Binance.US transaction history",
    export_path="binance.us → Profile → Tax Documents (or Transaction History) → Generate → Download (CSV)",
    reads="deposits and withdrawals of crypto (the fee in its asset), staking rewards, referral commissions and "
    "other distributions (income; a negative staking reward is the service fee, a spend), Buy, Sell, Quick Buy "
    "and Convert (Base to Quote) and spot trades, each at the file's USD values",
    skips="USD deposits and withdrawals",
    versions=VERSIONS,
    parse=parse,
    core=frozenset(name.lower() for name in _SPACED[1:9]),
    default_account="binance.us",
    zone="UTC",
)
