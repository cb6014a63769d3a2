"""Kraken ledgers.csv: kraken.com → Documents → Data exports → Ledgers (CSV), every column
variant served (wallet, subclass, amountusd came and went).

A trade is two or three rows sharing a `refid` (one per asset, the fee on one of them, a third
row when the fee was paid in fee credits): together they become one buy or sell. An instant buy
is a `spend` and a `receive` row sharing a refid, read the same way. Assets are Kraken's codes
(`XXBT`, `ZUSD`, `XETH`) and their staked forms (`DOT.S`, `DOT28.S`, `ETH2.S`), read as the coin
itself, so moving it into or out of staking or Earn is an internal move, skipped. Times have no
zone and are UTC. Only the `amountusd` column (some layouts) gives a USD value: otherwise a
reward or a crypto-to-crypto trade is kept and flagged as needing a price."""

from __future__ import annotations

from operator import attrgetter
from typing import Any, NamedTuple

from engine.core import fixedpoint as fp
from engine.core.units import Amount, EpochMicros
from engine.imports.formats import (
    FEE,
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
from engine.imports.rows import Cells, unit_price
from engine.ledger.assets import canonical_asset
from engine.ledger.events import UNCLASSIFIED as UNCLASSIFIED_SIDE
from engine.ledger.events import Event

FIAT = {"USD", "EUR", "GBP", "CAD", "JPY", "AUD", "CHF"}
FEE_CREDITS = "KFEE"  # Kraken fee credits: 1 credit pays $0.01 of fees
KFEE_USD = fp.parse("0.01")
TRADE_TYPES = {"trade", "spend", "receive"}
INTERNAL_SUBTYPES = {"spottostaking", "stakingfromspot", "stakingtospot", "spotfromstaking", "spottofutures",
                     "spotfromfutures", "allocation", "deallocation", "autoallocation", "autoallocate",
                     "migration"}  # fmt: skip
INCOME_TYPES = {"staking", "dividend", "invite bonus"}

_CORE = ("txid", "refid", "time", "type", "subtype", "aclass")
VERSIONS = (
    Version("with subclass and wallet", (*_CORE, "subclass", "asset", "wallet", "amount", "fee", "balance")),
    Version(
        "with wallet and amountusd", (*_CORE, "asset", "wallet", "amount", "fee", "balance", "amountusd")
    ),
    Version("with wallet", (*_CORE, "asset", "wallet", "amount", "fee", "balance")),
    Version("with amountusd", (*_CORE, "asset", "amount", "fee", "balance", "amountusd")),
    Version("classic", (*_CORE, "asset", "amount", "fee", "balance")),
)


_TIME_THEN_TXID = attrgetter("time", "txid")  # a trade's rows in a stable order


def kraken_asset(code: str) -> str:
    """The coin behind a Kraken asset code: XXBT -> BTC, ZUSD -> USD, DOT28.S -> DOT."""
    return canonical_asset(code)


class _Row(NamedTuple):
    """One ledger row, read. (A NamedTuple: one is built per row of the file.)"""

    line: int
    txid: str
    refid: str
    time: EpochMicros
    kind: str  # type, as the file spells it
    subtype: str
    asset: str  # the coin (kraken_asset)
    amount: Amount  # signed
    fee: Amount
    usd: Amount | None  # amountusd, when the layout has it


def parse(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    if not cells.require(table.header_line, ("txid", "refid", "time", "type", "asset", "amount", "fee")):
        return
    account = options.account or "kraken"
    groups: dict[str, list[_Row]] = {}
    with_usd = cells.has("amountusd")
    for line, values in table.rows:
        cells.start(values, line)
        row = _read(cells, options, with_usd)
        if row is None:
            continue
        if not row.txid:
            parsed.skipped[f"{row.kind} (no txid: not completed)"] += 1
        elif row.kind.lower() in TRADE_TYPES:
            groups.setdefault(row.refid, []).append(row)
        else:
            _single(row, account, table.label, parsed)
    for refid in sorted(groups):  # file order does not matter
        group = groups[refid]
        _trade(
            group if len(group) == 1 else sorted(group, key=_TIME_THEN_TXID),
            refid,
            account,
            table.label,
            parsed,
        )


def _read(cells: Cells, options: Options, with_usd: bool) -> _Row | None:
    before = len(cells.problems)
    time = cells.time("time", options.zone)
    amount = cells.number("amount")
    fee = cells.number("fee", required=False)
    usd = cells.number("amountusd", required=False) if with_usd else None
    asset = cells.get("asset")
    if not asset:
        cells.bad("asset", "missing value")
    kind = cells.get("type")
    if not kind:
        cells.bad("type", "missing value")
    if len(cells.problems) > before or time is None or amount is None:
        return None
    return _Row(cells.line, cells.get("txid"), cells.get("refid"), time, kind, cells.get("subtype"),
                kraken_asset(asset), amount, Amount(abs(fee or 0)), None if usd is None else Amount(abs(usd)))  # fmt: skip


def _event(row: _Row, account: str, label: str, side: str, **fields: Any) -> Event:
    """The row's event: no price and no fee unless `fields` give them (built in one go, not
    replaced into: this runs per row)."""
    fields = {"price": None, "fee": Amount(0), **fields}
    return Event(account=account, asset=row.asset, side=side, timestamp=row.time,
                 quantity=Amount(abs(row.amount)), trade_id=row.txid or None, source=label, **fields)  # fmt: skip


def _single(row: _Row, account: str, label: str, parsed: Parsed) -> None:
    """A row that is not part of a trade: a deposit, withdrawal, reward or internal move."""
    kind, subtype = row.kind.lower(), row.subtype.lower()
    fee = {"fee": row.fee, "fee_asset": row.asset} if row.fee else {}
    if subtype in INTERNAL_SUBTYPES or (kind == "earn" and subtype in ("", "migration") and not row.fee):
        parsed.skipped[f"{row.kind} {row.subtype}".strip()] += 1
    elif kind in ("deposit", "withdrawal") and (row.asset in FIAT or row.asset == FEE_CREDITS):
        parsed.skipped[f"{row.kind} ({row.asset})"] += 1  # cash in and out; fee credits
    elif kind in ("deposit", "withdrawal") and row.amount:
        outgoing = row.amount < 0
        parsed.add(_event(row, account, label, "transfer_out" if outgoing else "transfer_in", note=row.kind, **fee),
                   row.line, TRANSFER)  # fmt: skip
    elif row.amount > 0 and (
        kind in INCOME_TYPES or (kind == "earn" and subtype in ("reward", "")) or subtype == "airdrop"
    ):
        value = row.usd  # amountusd, when the layout has it; else the reward needs a price
        price = unit_price(value, row.amount) if value is not None else None
        parsed.add(_event(row, account, label, "income", price=price, subtotal=value, note=f"{row.kind} {row.subtype}".strip(),
                          **fee), row.line, INCOME)  # fmt: skip
    else:
        parsed.add(_event(row, account, label, UNCLASSIFIED_SIDE, note=f"{row.kind} {row.subtype}".strip()),
                   row.line, UNCLASSIFIED)  # fmt: skip


def _trade(rows: list[_Row], refid: str, account: str, label: str, parsed: Parsed) -> None:
    """One trade from its rows: what left (amount < 0), what arrived (amount > 0), and the fees
    (on either leg, or on a row of their own, as fee credits)."""
    spent = [r for r in rows if r.amount < 0]
    got = [r for r in rows if r.amount > 0]
    first = rows[0]
    several = (len(spent) > 1 and len({r.asset for r in spent}) > 1) or (
        len(got) > 1 and len({r.asset for r in got}) > 1
    )
    if not spent or not got or several:
        for row in rows:  # one side only (a file cut between a trade's rows?) or several assets a side
            note = f"{row.kind} (refid {refid}: not a two-sided trade in this file)"
            parsed.add(_event(row, account, label, UNCLASSIFIED_SIDE, note=note), row.line, UNCLASSIFIED)
        return
    fees: dict[str, Amount] = {}
    for row in rows:
        if row.fee:
            asset, amount = (
                ("USD", fp.mul(row.fee, KFEE_USD)) if row.asset == FEE_CREDITS else (row.asset, row.fee)
            )
            fees[asset] = Amount(fees.get(asset, 0) + amount)
    out_asset, in_asset = spent[0].asset, got[0].asset
    out_qty = Amount(-sum(r.amount for r in spent))
    in_qty = Amount(sum(r.amount for r in got))
    if out_asset in FIAT and in_asset in FIAT:
        parsed.skipped[f"{first.kind} ({out_asset} to {in_asset})"] += 1
        return
    selling = in_asset in FIAT  # crypto for cash; otherwise the arriving asset is bought
    asset, quantity, quote, subtotal = (
        (out_asset, out_qty, in_asset, in_qty) if selling else (in_asset, in_qty, out_asset, out_qty)
    )
    asset_rows = spent if selling else got
    usd_values = [r.usd for r in asset_rows if r.usd is not None]
    value_usd = Amount(sum(usd_values)) if usd_values and quote != "USD" else None
    fee_asset = next((a for a in ("USD", quote, asset) if a in fees), next(iter(fees), quote))
    fee = Amount(fees.pop(fee_asset, 0))
    # every field by position, in Event's order (once per trade: keywords cost a third more)
    event = Event(account, asset, "sell" if selling else "buy", first.time, quantity, unit_price(subtotal, quantity),
                  fee, quote, fee_asset, None, None, refid or first.txid, None, None, first.kind, None, None, label,
                  subtotal, value_usd)  # fmt: skip
    parsed.add(event, first.line, TRADE)
    for other, amount in sorted(fees.items()):  # a second fee, in another asset: a disposal of its own
        parsed.add(Event(account=account, asset=other, side="spend", timestamp=first.time, quantity=Amount(amount),
                         price=None, fee=Amount(0), trade_id=f"{refid}:fee:{other}", source=label,
                         note=f"{first.kind} fee"), first.line, FEE)  # fmt: skip


KRAKEN_LEDGERS = Format(
    key="kraken",
    name="Kraken ledgers",
    export_path="kraken.com → Documents → Data exports → Create export → Ledgers (CSV)",
    reads="trades (refid groups, spend/receive instant buys), deposits and withdrawals of crypto, "
    "staking and Earn rewards (income; USD value only from amountusd)",
    skips="fiat deposits and withdrawals; staking, Earn and futures allocations (internal moves); "
    "rows without a txid (not completed)",
    versions=VERSIONS,
    parse=parse,
    core=frozenset({"txid", "refid", "time", "type", "asset", "amount", "fee"}),
    default_account="kraken",
    zone="UTC",
)
