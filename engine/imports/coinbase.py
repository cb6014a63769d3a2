"""Coinbase transaction history: Coinbase.com → Profile → Statements → Transaction history →
CSV, in every layout Coinbase has served (2019's 8 columns to 2025's 13 with sender and
recipient addresses).

Quirks handled: a preamble (a disclaimer, blank lines, `Transactions`, `User,…`) before the
header; newest rows first; money as `$1,234.56` / `-$400.46` and fees of either sign; signed
quantities (negative when the asset leaves) from 2024, unsigned before; times as
`2025-01-02 10:00:00 UTC` or ISO 8601; the quote of an Advanced Trade and the received side of a
Convert only in the Notes text. Amounts are the file's own totals: a buy's basis is its Total
(what was paid, fees and spread included), a sale's proceeds its Total (what was received)."""

from __future__ import annotations

import re

from engine.core import fixedpoint as fp
from engine.core.units import ZERO, Amount, EpochMicros
from engine.imports.formats import (
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
from engine.imports.rows import CellError, Cells, parse_number, unit_price
from engine.ledger.events import MIGRATE, Event
from engine.ledger.events import UNCLASSIFIED as UNCLASSIFIED_SIDE

BUY = {"buy", "advanced trade buy", "advance trade buy"}
SELL = {"sell", "advanced trade sell", "advance trade sell"}
INCOME_TYPES = {
    "coinbase earn",
    "learning reward",
    "rewards income",
    "reward income",
    "staking income",
    "inflation reward",
    "interest payout",
    "incentives rewards payout",
    "subscription rebate",
    "subscription rebates (24 hours)",
}
# moves inside the one Coinbase account: no event (the asset stays the user's, same basis)
INTERNAL = {"retail staking transfer", "retail unstaking transfer", "vault withdrawal", "cash to savings",
            "savings to cash", "portfolio transfer"}  # fmt: skip
OUT_TYPES = {"send", "withdrawal", "exchange deposit", "pro deposit"}  # to Coinbase Pro/Exchange: out
IN_TYPES = {"receive", "deposit", "exchange withdrawal", "pro withdrawal"}
MIGRATIONS = {"asset migration", "retail eth2 deprecation"}
FIAT = {"USD", "EUR", "GBP", "CAD", "AUD", "SGD", "JPY", "CHF"}
_NUMBER = r"([0-9][0-9,]*(?:\.[0-9]+)?|\.[0-9]+)"
_TRADE_NOTE = re.compile(
    rf"(?:Bought|Sold) {_NUMBER} (\S+) for [$€£]?{_NUMBER} (\S+?)"
    rf"(?: on \S+? at [$€£]?{_NUMBER} \S+?/\S+)?(?:[ .][\s\S]*)?$"
)
_CONVERT_NOTE = re.compile(rf"Converted {_NUMBER} (\S+) to {_NUMBER} (\S+?)\.?\s*$")
_SENT_TO = re.compile(r"Sent \S+ \S+ to (\S+)")
_INCOME_NOTES = ("Coinbase Earn", "Coinbase Rewards", "Coinbase Referral")

_NEW = ("Price Currency", "Price at Transaction", "Subtotal", "Total (inclusive of fees and/or spread)",
        "Fees and/or Spread", "Notes")  # fmt: skip
_BASE = ("Timestamp", "Transaction Type", "Asset", "Quantity Transacted")
VERSIONS = (
    Version("2025", ("ID", *_BASE, *_NEW, "Sender Address", "Recipient Address"), preamble=12),
    Version("2024", ("ID", *_BASE, *_NEW), preamble=12),
    Version("2023", (*_BASE, *_NEW), preamble=12),
    Version("2022", (*_BASE, "Spot Price Currency", "Spot Price at Transaction", "Subtotal",
                     "Total (inclusive of fees and/or spread)", "Fees and/or Spread", "Notes"), preamble=12),
    Version("2021", (*_BASE, "Spot Price Currency", "Spot Price at Transaction", "Subtotal",
                     "Total (inclusive of fees)", "Fees", "Notes"), preamble=12),
    Version("2020", (*_BASE, "USD Spot Price at Transaction", "USD Subtotal", "USD Total (inclusive of fees)",
                     "USD Fees", "Notes"), preamble=12),
    Version("2019", (*_BASE, "USD Spot Price at Transaction",
                     "USD Amount Transacted (Inclusive of Coinbase Fees)", "Address", "Notes"), preamble=12),
)  # fmt: skip


class _Columns:
    """Where each field is in this layout (columns were renamed over the years)."""

    def __init__(self, cells: Cells, header: list[str]) -> None:
        lowered = [name.strip() for name in header]

        def ending(suffix: str) -> str | None:
            return next((n for n in lowered if n.lower().endswith(suffix)), None)

        self.id = cells.first("ID")
        self.time = cells.first("Timestamp")
        self.type = cells.first("Transaction Type")
        self.asset = cells.first("Asset")
        self.quantity = cells.first("Quantity Transacted")
        self.currency = cells.first("Price Currency", "Spot Price Currency")
        self.price = cells.first("Price at Transaction", "Spot Price at Transaction") or ending(
            " spot price at transaction"
        )
        self.subtotal = cells.first("Subtotal") or ending(" subtotal")
        self.total = (
            cells.first("Total (inclusive of fees and/or spread)", "Total (inclusive of fees)")
            or ending(" total (inclusive of fees)")
            or ending(" amount transacted (inclusive of coinbase fees)")
        )
        self.fees = cells.first("Fees and/or Spread", "Fees") or ending(" fees")
        self.notes = cells.first("Notes")
        self.sender = cells.first("Sender Address")
        self.recipient = cells.first("Recipient Address", "Address")
        # the 2019/2020 layouts name the currency in the column ("USD Subtotal")
        named = self.price.split(" ", 1)[0].upper() if self.price and " " in self.price else "USD"
        self.fixed_currency = named if named.isalpha() and len(named) == 3 else "USD"


def parse(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    columns = _Columns(cells, table.header)
    if not cells.require(
        table.header_line, ("Timestamp", "Transaction Type", "Asset", "Quantity Transacted")
    ):
        return
    account = options.account or "coinbase"
    migrating: list[tuple[int, EpochMicros, str, Amount, str | None, str]] = []
    for line, row in table.rows:
        cells.start(row, line)
        before = len(parsed.problems)
        kind_text = cells.get(columns.type)
        kind = kind_text.lower()
        asset = cells.get(columns.asset).upper()
        if not asset:
            cells.bad("Asset", "missing value")
        timestamp = cells.time(columns.time or "Timestamp", options.zone)
        quantity = cells.number(columns.quantity)
        if len(parsed.problems) > before or timestamp is None or quantity is None:
            continue
        if not kind_text:
            cells.bad("Transaction Type", "missing value")
            continue
        if kind in INTERNAL:
            parsed.skipped[kind_text] += 1
            continue
        if quantity == 0:
            parsed.skipped[f"{kind_text} (zero quantity)"] += 1
            continue
        row_id = cells.get(columns.id) or None
        if kind in MIGRATIONS:
            migrating.append((line, timestamp, asset, quantity, row_id, kind_text))
            continue
        reader = _Row(cells, columns, account, asset, timestamp, Amount(abs(quantity)), row_id, table.label)
        result = reader.event(kind, kind_text, quantity)
        if len(parsed.problems) > before:
            continue
        if isinstance(result, str):
            parsed.skipped[result] += 1
        else:
            parsed.add(result[0], line, result[1])
    _pair_migrations(migrating, account, table.label, parsed)


class _Row:
    """One row's fields, read on demand; problems go to the file's list."""

    def __init__(self, cells: Cells, columns: _Columns, account: str, asset: str, timestamp: EpochMicros,
                 quantity: Amount, row_id: str | None, source: str) -> None:  # fmt: skip
        self.cells, self.c = cells, columns
        self.account, self.asset, self.timestamp = account, asset, timestamp
        self.quantity, self.row_id, self.source = quantity, row_id, source
        self.currency = (cells.get(columns.currency) or columns.fixed_currency).upper()

    def money(self, column: str | None, exact: bool = True) -> Amount | None:
        value = self.cells.number(column, required=False, money=True, exact=exact)
        return None if value is None else Amount(abs(value))

    def base(
        self,
        side: str,
        *,
        price: Amount | None = None,
        subtotal: Amount | None = None,
        fee: Amount = ZERO,
        quote: str | None = None,
        fee_asset: str | None = None,
        fee_usd: Amount | None = None,
        value_usd: Amount | None = None,
        address: str | None = None,
        note: str | None = None,
    ) -> Event:
        # every field by position, in Event's order (once per row: keywords cost a third more)
        currency = self.currency
        return Event(self.account, self.asset, side, self.timestamp, self.quantity, price, fee, quote or currency,
                     fee_asset or currency, None, fee_usd, self.row_id, None, address, note, None, None, self.source,
                     subtotal, value_usd)  # fmt: skip

    def event(self, kind: str, kind_text: str, signed: Amount) -> tuple[Event, str] | str:
        """The row's event and what it is, or the reason it is skipped."""
        notes = self.cells.get(self.c.notes)
        if kind in BUY or kind in SELL:
            return self.trade("buy" if kind in BUY else "sell", notes), TRADE
        if kind == "convert":
            return self.convert(notes), TRADE
        if kind in INCOME_TYPES or (kind == "receive" and any(n in notes for n in _INCOME_NOTES)):
            value = self.value()
            return self.base("income", price=unit_price(value, self.quantity) if value is not None else None,
                             subtotal=value, note=kind_text), INCOME  # fmt: skip
        if kind in OUT_TYPES or kind in IN_TYPES:
            if self.asset in FIAT or self.asset == self.currency:
                return f"{kind_text} ({self.asset})"  # cash in and out: not a crypto event
            outgoing = signed < 0 or kind in OUT_TYPES  # signed from 2024; by type before
            return self.transfer(outgoing, notes, kind_text), TRANSFER
        return self.base(UNCLASSIFIED_SIDE, note=kind_text), UNCLASSIFIED

    def value(self) -> Amount | None:
        """The USD value of the quantity the file gives: Subtotal, else Total, else quantity x price."""
        for column in (self.c.subtotal, self.c.total):
            found = self.money(column)
            if found is not None and found > 0:
                return found
        price = self.money(self.c.price, exact=False)
        return fp.mul(self.quantity, price) if price else None

    def trade(self, side: str, notes: str) -> Event:
        subtotal, total, fees = self.money(self.c.subtotal), self.money(self.c.total), self.money(self.c.fees)
        # only an Advanced Trade on a crypto pair names another quote; most notes say the currency
        says_currency = f" {self.currency} " in f" {notes} "
        matched = None if says_currency else _TRADE_NOTE.match(notes)
        quote = matched.group(4).upper() if matched else self.currency
        if matched and quote != self.currency and quote not in FIAT:
            return self.crypto_trade(side, matched, subtotal, fees)
        gross, fee = _gross_and_fee(side, subtotal, total, fees)
        if gross is None:
            price = self.money(self.c.price, exact=False)
            gross = fp.mul(self.quantity, price) if price else None
        price_now = unit_price(gross, self.quantity) if gross is not None else None
        return self.base(side, price=price_now, subtotal=gross, fee=fee, note=notes or None)

    def crypto_trade(
        self, side: str, matched: re.Match[str], value_usd: Amount | None, fee_usd: Amount | None
    ) -> Event:
        """An Advanced Trade on a crypto pair (BTC-USDC): the quote, its amount and the rate are
        only in the Notes; the USD figures are the trade's value and fee in dollars."""
        quote = matched.group(4).upper()
        amount = _notes_number(self.cells, matched.group(3))
        rate = matched.group(5)
        if amount is None:
            return self.base(side)
        subtotal, fee = amount, Amount(0)
        if rate is not None:
            exact = _notes_number(self.cells, rate)
            if exact is not None:
                subtotal = fp.mul(self.quantity, exact)
                fee = Amount(abs(amount - subtotal))  # paid on top of a buy, kept back from a sale
        return self.base(side, price=unit_price(subtotal, self.quantity), quote=quote, subtotal=subtotal,
                         fee=fee, fee_asset=quote if fee else "USD", fee_usd=fee_usd if fee else None,
                         value_usd=value_usd or None, note=matched.group(0))  # fmt: skip

    def convert(self, notes: str) -> Event:
        """Convert: a sale of the row's asset for the one named in Notes (`Converted 0.5 ETH to
        1,791 USDC`). Coinbase takes its fee out of what is received, so the trade's USD value
        is the Subtotal less the fee: the disposal's proceeds and the received asset's basis
        (the fee reduces the gain once, not again when the received asset is sold)."""
        matched = _CONVERT_NOTE.match(notes)
        column = self.c.notes or "Notes"
        if matched is None:
            self.cells.bad(column, f"a Convert needs 'Converted X {self.asset} to Y ASSET'; got {notes!r}")
            return self.base("sell")
        received = _notes_number(self.cells, matched.group(3))
        if received is None or received <= 0:
            self.cells.bad(column, f"no amount received in {notes!r}")
            return self.base("sell")
        fee = self.money(self.c.fees) or Amount(0)
        value = self.value()
        net = None if value is None else Amount(max(value - fee, 0))
        note = f"{notes} (fee ${fp.fmt_cents(fee)} taken from the proceeds)" if fee else notes
        return self.base("sell", price=unit_price(received, self.quantity), quote=matched.group(4).upper(),
                         subtotal=received, value_usd=net, note=note)  # fmt: skip

    def transfer(self, outgoing: bool, notes: str, kind_text: str) -> Event:
        """A send or receive. A send's network fee, which Coinbase prints in dollars, was paid in
        the asset sent: it is a disposal of fee / price units of it (half-even to 18 places),
        worth the fee in dollars."""
        address = self.cells.get(self.c.recipient if outgoing else self.c.sender) or None
        if outgoing and address is None and (sent := _SENT_TO.match(notes)):
            address = sent.group(1)
        fee_usd = self.money(self.c.fees) if outgoing else None
        price = self.money(self.c.price, exact=False)
        fee, fee_asset = ZERO, self.asset
        if fee_usd and price:
            fee = Amount(fp.div_round(fee_usd * fp.SCALE, price))
        elif fee_usd:  # no price to turn it into the asset: kept in dollars
            fee, fee_asset, fee_usd = fee_usd, "USD", None
        else:
            fee_usd = None
        return self.base("transfer_out" if outgoing else "transfer_in", address=address, note=notes or kind_text,
                         fee=fee, fee_asset=fee_asset, fee_usd=fee_usd)  # fmt: skip


def _gross_and_fee(
    side: str, subtotal: Amount | None, total: Amount | None, fees: Amount | None
) -> tuple[Amount | None, Amount]:
    """The trade's value before fees and its fee, so that a buy's basis (value + fee) and a sale's
    proceeds (value - fee) are the row's Total exactly; the spread counts as fee."""
    zero = Amount(0)
    if total is None:
        return subtotal, fees or zero
    if side == "buy":
        if subtotal is not None and subtotal <= total:
            return subtotal, Amount(total - subtotal)
        if fees is not None and fees <= total:
            return Amount(total - fees), fees
        return total, zero
    if subtotal is not None and subtotal >= total:
        return subtotal, Amount(subtotal - total)
    if fees is not None:
        return Amount(total + fees), fees
    return total, zero


def _notes_number(cells: Cells, text: str) -> Amount | None:
    try:
        return parse_number(text)
    except CellError as exc:
        cells.bad("Notes", str(exc))
        return None


def _pair_migrations(
    rows: list[tuple[int, EpochMicros, str, Amount, str | None, str]],
    account: str,
    label: str,
    parsed: Parsed,
) -> None:
    """An asset migration (MATIC -> POL, ETH2 -> ETH) is two rows at one time: the old asset
    leaving and the new one arriving. Paired, they are one non-taxable `migrate` event; a row
    whose other side is not in the file is kept unclassified."""
    by_time: dict[EpochMicros, list[tuple[int, EpochMicros, str, Amount, str | None, str]]] = {}
    for row in rows:
        by_time.setdefault(row[1], []).append(row)
    for group in by_time.values():
        # in a stable order (by id, then asset), so the file's row order does not matter
        group.sort(key=lambda r: (r[4] or "", r[2], r[3]))
        outs = [r for r in group if r[3] < 0]
        ins = [r for r in group if r[3] > 0]
        while outs and ins:
            old, new = outs.pop(0), ins.pop(0)
            event = Event(account=account, asset=old[2], side=MIGRATE, timestamp=old[1], quantity=Amount(-old[3]),
                          price=unit_price(new[3], -old[3]), fee=Amount(0), quote=new[2], fee_asset="USD",
                          subtotal=new[3], trade_id=old[4] or new[4], note=f"{old[5]}: {old[2]} -> {new[2]}",
                          source=label)  # fmt: skip
            parsed.add(event, old[0], MIGRATION)
        for line, timestamp, asset, quantity, row_id, kind_text in outs + ins:
            event = Event(account=account, asset=asset, side=UNCLASSIFIED_SIDE, timestamp=timestamp,
                          quantity=Amount(abs(quantity)), price=None, fee=Amount(0), trade_id=row_id,
                          note=f"{kind_text} (its other side is not in the file)", source=label)  # fmt: skip
            parsed.add(event, line, UNCLASSIFIED)


COINBASE = Format(
    key="coinbase",
    name="Coinbase transaction history",
    export_path="coinbase.com → profile → Statements → Transaction history → Generate report (CSV)",
    reads="buys, sells, Advanced Trade fills, converts, sends and receives, staking and learning "
    "rewards (income), asset migrations",
    skips="USD deposits and withdrawals; retail staking and unstaking transfers (inside the account)",
    versions=VERSIONS,
    parse=parse,
    core=frozenset({"timestamp", "transaction type", "asset", "quantity transacted"}),
    default_account="coinbase",
    zone="UTC",  # its times carry "UTC" or "Z"; the oldest layout's dates do not, and are UTC too
)
