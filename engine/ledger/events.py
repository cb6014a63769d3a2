"""Canonical ledger events: one trade, transfer or income record, exact and zone-aware."""

from __future__ import annotations

import hashlib
from typing import NamedTuple

from engine.core.units import Amount, EpochMicros

SIDES = ("buy", "sell", "income", "transfer_out", "transfer_in", "spend")
USD = "USD"


class Event(NamedTuple):
    """A record as the user or the exchange gave it; amounts in fixed-point (see fixedpoint).
    (A NamedTuple: immutable and cheap to build by the hundred thousand.)"""

    account: str
    asset: str
    side: str
    timestamp: EpochMicros
    quantity: Amount
    price: Amount | None  # per unit, in `quote`; None only for transfers
    fee: Amount
    quote: str = USD
    fee_asset: str = USD
    price_usd: Amount | None = None  # USD per unit of `asset` when the quote is not USD
    fee_usd: Amount | None = None  # USD value of the fee when it cannot be derived
    trade_id: str | None = None
    tx_id: str | None = None
    address: str | None = None
    note: str | None = None
    counterpart_account: str | None = None
    lots: str | None = None  # specific identification "LOT:QTY;LOT:QTY" on a disposal
    source: str = ""

    def natural_key(self, occurrence: int = 0) -> str:
        """Identity that survives re-imports: the source trade id, else the record's content.

        Identical rows without a trade id inside one file are told apart by `occurrence`, so
        two real identical fills are both kept while a re-import of the same file adds none.
        """
        if self.trade_id:
            return f"{self.account}|id|{self.trade_id}"
        parts = (
            self.account,
            self.asset,
            self.side,
            str(self.timestamp),
            str(self.quantity),
            str(self.price),
            str(self.fee),
            self.quote,
            self.fee_asset,
            self.tx_id or "",
            str(occurrence),
        )
        digest = hashlib.sha1("|".join(parts).encode(), usedforsecurity=False).hexdigest()
        return f"{self.account}|h|{digest[:24]}"
