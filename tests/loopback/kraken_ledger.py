"""The loopback Kraken's ledger: every balance change as Kraken's Ledgers endpoint lists it — two
rows per trade (refid: the trade's id), a row per completed deposit and withdrawal (refid: the
id DepositStatus/WithdrawStatus give), and what only the ledger holds, built here: staking and
earn rewards, earn allocations and staking transfers (into `DOT.S`, `DOT28.S`, `XBT.M` …), and
spend/receive instant buys. Builders move the venue's balances as Kraken does
(`balance = old + amount - fee`)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

ASSET_IDS = {"BTC": "XXBT", "USD": "ZUSD", "ETH": "XETH"}  # codes whose Kraken id differs
ALTNAMES = {"BTC": "XBT"}  # inside variant ids (`XBT.M`) Kraken uses the altname


def asset_id(code: str) -> str:
    """Kraken's id for a unified code: BTC → XXBT, BTC.M → XBT.M, DOT.S → DOT.S."""
    if "." in code:
        base, suffix = code.split(".", 1)
        return f"{ALTNAMES.get(base, base)}.{suffix}"
    return ASSET_IDS.get(code, code)


@dataclass
class Row:
    id: str
    refid: str
    kind: str
    subtype: str
    code: str  # unified: BTC, DOT.S, BTC.M
    amount: Decimal  # signed
    fee: Decimal
    ms: int


def _add(venue: Any, kind: str, code: str, amount: str, ms: int, *, subtype: str = "", fee: str = "0",
         refid: str | None = None) -> Row:  # fmt: skip
    number = len(venue.ledger) + 1
    row = Row(f"LX{number:04d}-{kind[:4].upper()}-{code.replace('.', '')}", refid or f"RX{number:04d}-REF",
              kind, subtype, code, Decimal(amount), Decimal(fee), ms)  # fmt: skip
    venue.ledger.append(row)
    venue.move(code, row.amount - row.fee)
    return row


def reward(venue: Any, code: str, amount: str, ms: int, *, earn: bool = False, fee: str = "0") -> Row:
    """A staking reward (`staking` on the staked code) or an Earn reward (`earn`/`reward`)."""
    return _add(
        venue, "earn" if earn else "staking", code, amount, ms, subtype="reward" if earn else "", fee=fee
    )


def allocate(venue: Any, code: str, amount: str, ms: int, into: str, *, earn: bool = True) -> str:
    """Spot into staking: an Earn allocation, or the older spot-to-staking transfer pair."""
    refid = f"RA{len(venue.ledger) + 1:04d}-ALLOC"
    if earn:
        _add(venue, "earn", code, f"-{amount}", ms, subtype="allocation", refid=refid)
        _add(venue, "earn", into, amount, ms, subtype="allocation", refid=refid)
    else:
        _add(venue, "transfer", code, f"-{amount}", ms, subtype="spottostaking", refid=refid)
        _add(venue, "transfer", into, amount, ms, subtype="stakingfromspot", refid=refid)
    return refid


def instant(venue: Any, spend: str, spent: str, receive: str, received: str, ms: int, fee: str = "0") -> str:
    """A Buy Crypto / app purchase: a spend row (with the fee) and a receive row, one refid."""
    refid = f"RI{len(venue.ledger) + 1:04d}-INSTANT"
    _add(venue, "spend", spend, f"-{spent}", ms, fee=fee, refid=refid)
    _add(venue, "receive", receive, received, ms, refid=refid)
    return refid


def other(venue: Any, kind: str, code: str, amount: str, ms: int) -> Row:
    """An entry of a type harvest does not sync (margin, adjustment …)."""
    return _add(venue, kind, code, amount, ms)


def rows(venue: Any, trade_ids: dict[int, str]) -> list[Row]:
    """Every ledger row of the venue: trades, completed transfers and the built ones."""
    found = list(venue.ledger)
    for trade in venue.trades:
        base, quote = trade.symbol.split("/")
        sign = 1 if trade.side == "buy" else -1
        refid = trade_ids[trade.id]
        found.append(
            Row(f"LT{trade.id:05d}-BASE", refid, "trade", "", base, sign * trade.amount, Decimal(0), trade.ms)
        )
        found.append(Row(f"LT{trade.id:05d}-QUOT", refid, "trade", "", quote, -sign * trade.amount * trade.price,
                         trade.fee, trade.ms))  # fmt: skip
    for kind, records, sign in (("deposit", venue.deposits, 1), ("withdrawal", venue.withdrawals, -1)):
        for record in records:
            if record.complete:
                found.append(Row(f"L{kind[0].upper()}-{record.id}", record.id, kind, "", record.currency,
                                 sign * record.amount, record.fee, record.ms))  # fmt: skip
    return found


def _places(amount: Decimal) -> str:
    """Kraken's ten places, or more where the amount has them (the fake never rounds)."""
    return f"{amount:.10f}" if amount == round(amount, 10) else f"{amount:f}"


def render(found: list[Row]) -> list[dict[str, Any]]:
    """Rows newest first as the endpoint gives them, each with the balance after it."""
    balances: dict[str, Decimal] = {}
    rendered: list[dict[str, Any]] = []
    for row in sorted(found, key=lambda r: (r.ms, r.id)):
        balances[row.code] = balances.get(row.code, Decimal(0)) + row.amount - row.fee
        rendered.append({"id": row.id, "refid": row.refid, "time": row.ms / 1000, "type": row.kind,
                         "subtype": row.subtype, "aclass": "currency", "asset": asset_id(row.code),
                         "amount": _places(row.amount), "fee": _places(row.fee),
                         "balance": _places(balances[row.code])})  # fmt: skip
    rendered.reverse()
    return rendered
