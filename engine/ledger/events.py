"""Canonical ledger events: one trade, transfer or income record, exact and zone-aware."""

from __future__ import annotations

from typing import NamedTuple

from engine.core import fixedpoint as fp
from engine.core.digests import sha1
from engine.core.units import Amount, EpochMicros

SIDES = ("buy", "sell", "income", "transfer_out", "transfer_in", "spend")  # what a user's CSV may say
# Written by the native importers only: `migrate` is a non-taxable rename (MATIC -> POL: `asset` the
# old asset, `quote` the new one, `subtotal` the new quantity) that carries basis and dates;
# `unclassified` is a row of a type harvest cannot read yet, kept (with its type in `note`) and
# shown as a problem, but without ledger legs until it is classified.
MIGRATE = "migrate"
UNCLASSIFIED = "unclassified"
ALL_SIDES = (*SIDES, MIGRATE, UNCLASSIFIED)
USD = "USD"
# What one record may hold: every later sum (a year's proceeds, a pool's basis, a scan's totals)
# stays exact within these, and anything past them is a typo or a broken file, refused by name.
EARLIEST = 1_230_940_800_000_000  # 2009-01-03T00:00:00Z, Bitcoin's first block (epoch micros)
LATEST = 4_102_444_800_000_000  # 2100-01-01T00:00:00Z: past any clock harvest is run with
MAX_QUANTITY = 10**15 * fp.SCALE  # units of an asset: SHIB-scale holdings fit
MAX_PRICE = 10**12 * fp.SCALE  # per unit, in its quote
MAX_VALUE = 10**15 * fp.SCALE  # quantity x price (and a fee) of one record, in its quote
EXCHANGE_SOURCE = "ccxt:"  # `source` of records fetched from an exchange (ccxt:<exchange id>)


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
    # Exact totals a source gives (Coinbase's subtotal, Kraken's cost): `subtotal` is quantity x
    # price in `quote`, before fees, and `value_usd` the USD value of `quantity` when the quote is
    # not USD. When set, the legs use them, and `price` (subtotal / quantity, rounded half-even to
    # 18 places) is for display: a price from a total rarely fits 18 places, a total always does.
    # On a migration, `subtotal` is the new asset's quantity.
    subtotal: Amount | None = None
    value_usd: Amount | None = None

    def natural_key(self, occurrence: int = 0) -> str:
        """Identity that survives re-imports: the source trade id, else the record's content.

        Identical rows without a trade id inside one file are told apart by `occurrence`, so
        two real identical fills are both kept while a re-import of the same file adds none.
        """
        if self.trade_id and self.source.startswith(EXCHANGE_SOURCE) and self.side in ("buy", "sell"):
            # exchanges number trades per market (Binance): the id is unique only with its market
            return f"{self.account}|id|{self.asset}/{self.quote}|{self.trade_id}"
        if self.trade_id:
            return f"{self.account}|id|{self.trade_id}"
        parts: tuple[str, ...] = (
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
        if self.subtotal is not None or self.value_usd is not None:  # older records keep their keys
            parts = (*parts, str(self.subtotal), str(self.value_usd))
        digest = sha1("|".join(parts).encode(), usedforsecurity=False).hexdigest()
        return f"{self.account}|h|{digest[:24]}"

    def out_of_range(self) -> str | None:
        """Why this record is beyond what harvest can hold (None when it is fine)."""
        if self.timestamp < EARLIEST:
            return "dated before 2009-01-03 (the first Bitcoin block)"
        if self.quantity > MAX_QUANTITY:
            return f"quantity over {MAX_QUANTITY // fp.SCALE:,}"
        if self.subtotal is not None:  # the price is only shown: the exact subtotal is what is held
            if self.subtotal > MAX_VALUE:
                return f"subtotal over {MAX_VALUE // fp.SCALE:,}"
        elif self.price is not None and self.price > MAX_PRICE:
            return f"price over {MAX_PRICE // fp.SCALE:,} per unit"
        elif self.price is not None and fp.mul(self.quantity, self.price) > MAX_VALUE:
            return f"value (quantity x price) over {MAX_VALUE // fp.SCALE:,}"
        if self.value_usd is not None and self.value_usd > MAX_VALUE:
            return f"USD value over {MAX_VALUE // fp.SCALE:,}"
        if self.fee > MAX_VALUE:
            return f"fee over {MAX_VALUE // fp.SCALE:,}"
        return None
