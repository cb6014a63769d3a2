"""Property: rewards and transfers imported from a file and synced from the exchange, in any order —
the file before, between or after the sync's pages, pages in any order and read again — store each
record once: the ledger one source alone gives. Identical rewards (same day or same second, same
amount) and identical transfers are drawn often; the file times rewards to the second (or gives
dates only), transfers with or without their hash (the API always has it) and, for a deposit, when
it was credited (up to an hour after the API's time); it may end before the last records (sync
has them) and holds Earn rewards sync does not give."""

from __future__ import annotations

import tempfile
from collections import Counter
from dataclasses import dataclass
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core import fixedpoint as fp
from engine.exchanges.venues import binanceus
from engine.imports.formats import Options
from engine.imports.importer import read_text
from engine.ledger.events import Event
from engine.store.store import Store, keys_of
from tests.engine.store.test_cross_source_moves import transfers

T0 = int(datetime(2024, 6, 1, tzinfo=UTC).timestamp() * 1000)
DAY_MS = 86_400_000
ACCOUNT = "acct"
FILE_ONLY = "FIL"  # Earn rewards: only the file has them


@dataclass(frozen=True)
class Move:
    number: int
    side: str  # income, transfer_in, transfer_out
    asset: str
    amount: Decimal
    fee: Decimal
    millis: int  # after T0, as the API times it
    credited_after: int  # ms the file's time is after the API's (a deposit credited later)
    hashed_in_file: bool

    @property
    def txid(self) -> str:
        return f"0x{self.number:064x}"

    def synced(self) -> Event:
        if self.side == "income":
            made = binanceus.reward_event({"tranId": self.number, "asset": self.asset, "amount": str(self.amount),
                                           "usdValue": "1", "time": T0 + self.millis}, ACCOUNT)  # fmt: skip
            assert isinstance(made, Event)
            return made
        kind = "deposit" if self.side == "transfer_in" else "withdrawal"
        record = {"id": f"T{self.number}", "txid": self.txid, "currency": self.asset, "amount": str(self.amount),
                  "timestamp": T0 + self.millis, "status": "ok", "fee": {"cost": str(self.fee), "currency": self.asset}}  # fmt: skip
        (made,) = transfers(ACCOUNT, kind, record)
        return made

    def file_row(self, dates_only: bool) -> str:
        moment = datetime.fromtimestamp((T0 + self.millis + self.credited_after) / 1000, UTC)
        when = f"{moment:%Y-%m-%d}" if dates_only else f"{moment:%Y-%m-%dT%H:%M:%S}Z"  # cut to the second
        price = "150" if self.side == "income" else ""
        tx = self.txid if self.hashed_in_file else ""
        return f"{when},{ACCOUNT},{self.asset},{self.side},{self.amount},{price},{self.fee},{tx}\n"


@st.composite
def histories(draw: st.DrawFn) -> list[Move]:
    made = []
    for number in range(draw(st.integers(1, 12))):
        side = draw(st.sampled_from(["income", "income", "transfer_in", "transfer_out"]))
        moment = draw(st.integers(0, 2)) * DAY_MS + draw(
            st.sampled_from([0, 1_000, 1_499, 3_600_000, 7_200_000])
        )
        if side == "income":
            asset = draw(st.sampled_from(["SOL", "SOL", FILE_ONLY]))
            amount, fee, later = Decimal(draw(st.sampled_from(["0.002", "0.0021"]))), Decimal(0), 0
        else:
            asset = "ETH"
            amount = Decimal(draw(st.sampled_from(["1", "2.5"])))
            fee = Decimal(draw(st.sampled_from(["0", "0.001"]))) if side == "transfer_out" else Decimal(0)
            later = draw(st.sampled_from([0, 0, 1_500_000, 3_600_000])) if side == "transfer_in" else 0
        made.append(Move(number, side, asset, amount, fee, moment, later, draw(st.booleans())))
    return made


def harvest_csv(moves: list[Move], dates_only: bool) -> str:
    return "timestamp,account,asset,side,quantity,price,fee,tx_id\n" + "".join(
        m.file_row(dates_only) for m in moves
    )


def stored(store: Store) -> Counter[tuple[str, str, int]]:
    rows = store.conn.execute("SELECT side, asset, quantity FROM events")
    return Counter((side, asset, int(quantity)) for side, asset, quantity in rows)


@settings(max_examples=40, deadline=None)
@given(moves=histories(), data=st.data())
def test_a_file_and_a_sync_of_the_same_rewards_and_transfers_store_each_once(moves, data):
    dates_only = data.draw(st.booleans(), label="the file gives dates only")
    if dates_only:  # a date carries no time of crediting
        moves = [
            Move(m.number, m.side, m.asset, m.amount, m.fee, m.millis, 0, m.hashed_in_file) for m in moves
        ]
    by_time = sorted(moves, key=lambda m: m.millis)
    cut = data.draw(st.integers(0, len(by_time)), label="the file ends before this many")
    in_file = [m for m in by_time[: max(cut, 1)]] + [
        m for m in by_time[max(cut, 1) :] if m.asset == FILE_ONLY
    ]
    syncable = [m for m in moves if m.asset != FILE_ONLY]
    report = read_text(
        harvest_csv(in_file, dates_only), "f.csv", Options(None, UTC if dates_only else None, None)
    )
    order = data.draw(st.permutations(syncable), label="sync order")
    cuts = sorted(data.draw(st.sets(st.integers(1, max(1, len(order) - 1)), max_size=3), label="page cuts"))
    pages = [order[a:b] for a, b in zip([0, *cuts], [*cuts, len(order)], strict=True) if order[a:b]]
    file_at = data.draw(st.integers(0, len(pages)), label="file before page")
    reread = data.draw(st.lists(st.integers(0, max(0, len(pages) - 1)), max_size=2), label="pages read again")
    usd = frozenset({"USD"})
    with tempfile.TemporaryDirectory() as tmp, Store(Path(tmp) / "s.sqlite3") as store:
        steps: list[list[Move] | None] = [*pages, *(pages[i] for i in reread if pages)]
        steps.insert(file_at, None)
        for page in steps:
            if page is None:
                store.import_events(keys_of(report.events), "csv:f.csv", usd)
            else:
                store.import_events(keys_of([m.synced() for m in page]), f"ccxt:{ACCOUNT}", usd)
        truth = Counter((m.side, m.asset, fp.from_decimal(m.amount)) for m in {*in_file, *syncable})
        assert stored(store) == truth
        # everything again, each source: nothing new
        assert store.import_events(keys_of([m.synced() for m in syncable]), f"ccxt:{ACCOUNT}", usd).added == 0
        assert store.import_events(keys_of(report.events), "csv:f.csv", usd).added == 0
        assert stored(store) == truth
