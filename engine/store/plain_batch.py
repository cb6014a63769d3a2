"""An import batch of the commonest records, its rows made a column at a time.

The commonest record is a buy or a sell with a trade id, priced in a USD asset, its fee none or
in a USD asset, none of the rarely set fields given (no subtotal, lots, tx id, address, note...).
ledger_tables._import_events gives each such record its event row in the plain shape and the one
valued leg legs.usd_trade_leg works out; for a batch of nothing else, all of it new, batch_rows
makes the same rows with the per-row work in C (the events transposed, maps, zips), and makes
the pools the rows name in the order the loop would (their first row's order). None for any other
batch: the loop writes it, row by row (tests/engine/store/test_plain_batch.py compares the two
stores)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from itertools import compress, repeat
from operator import itemgetter
from operator import mul as product

from engine.core.fixedpoint import SCALE, mul
from engine.ledger.events import Event
from engine.ledger.legs import ACQUIRE, DISPOSE
from engine.store.encoding import pack_column

_KINDS = {"buy": ACQUIRE, "sell": DISPOSE}
_EVENT = itemgetter(1)
PLAIN_BATCH = True  # off: every batch row by row (for the tests' comparison)


def batch_rows(
    events: Sequence[tuple[str, Event]],
    batch_id: int,
    next_id: int,
    usd_assets: frozenset[str],
    pools: dict[tuple[str, str], int],
    new_pool: Callable[[str, str], int],
) -> tuple[list[tuple[object, ...]], list[tuple[object, ...]]] | None:
    """The event rows (plain shape) and leg rows (valued shape) of a batch whose (natural key,
    event) pairs are all new and each the commonest record; None otherwise. The pools the rows
    name and `pools` lacks are made (new_pool) only when the rows are given."""
    count = len(events)
    keys = [key for key, _ in events]
    if not PLAIN_BATCH or not count or len(set(keys)) != count:  # a key twice: the loop keeps the first
        return None
    (accounts, assets, sides, times, quantities, prices, fees, quotes, fee_assets, price_usd, fee_usd, trade_ids,
     tx_ids, addresses, notes, counterparts, lots, sources, subtotals, values_usd) = zip(
        *map(_EVENT, events), strict=True)  # fmt: skip
    rare = (price_usd, fee_usd, tx_ids, addresses, notes, counterparts, lots, subtotals, values_usd)
    if (
        any(column.count(None) != count for column in rare)
        or None in prices
        or None in trade_ids
        or "" in trade_ids  # (a leg's ref is its trade id, else E<event id>)
        or not _KINDS.keys() >= set(sides)
        or not usd_assets.issuperset(quotes)
        or not usd_assets.issuperset(compress(fee_assets, fees))  # a fee paid: in a USD asset
    ):
        return None
    kinds = list(map(_KINDS.__getitem__, sides))
    # quantity x price (fp.mul) in C for the whole column when no product needs rounding (a
    # trade's places seldom pass 18 together: the quotient is then exact), else fp.mul for each
    values, rests = zip(*map(divmod, map(product, quantities, prices), repeat(SCALE)), strict=True)
    if any(rests):
        values = tuple(map(mul, quantities, prices))
    # usd_trade_leg's value: the fee added to a buy's basis, taken off a sale's proceeds
    usd = [
        value + fee if kind == ACQUIRE else value - fee
        for value, fee, kind in zip(values, fees, kinds, strict=True)
    ]
    pairs = list(zip(accounts, assets, strict=True))
    for account, asset in dict.fromkeys(pairs):  # in the order the rows first name them
        if (account, asset) not in pools:
            pools[(account, asset)] = new_pool(account, asset)
    ids = range(next_id, next_id + count)
    event_rows = list(zip(ids, keys, repeat(batch_id), accounts, assets, sides, times, map(str, quantities),
                          map(str, prices), quotes, map(str, fees), fee_assets, trade_ids, sources))  # fmt: skip
    leg_rows = list(zip(ids, repeat(0), map(pools.__getitem__, pairs), kinds, times, pack_column(quantities),
                        pack_column(usd), trade_ids))  # fmt: skip
    return event_rows, leg_rows
