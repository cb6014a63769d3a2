"""One reward or transfer from two sources: an exchange's own file (`harvest import`) and
`harvest sync`. The discipline is the fills' (engine.ledger.cross_source): across sources only,
one to one, the first record stored kept, the second skipped, remembered and counted, never
merged by guess. What makes two records one:

- **Income**: the same account, asset and exact quantity, at times at most INCOME_TOLERANCE apart
  (one reward, timed alike by the exchange's file and its API; exports round to the second).
  Rewards are often daily with identical amounts: the tolerance and one to one keep two days'
  rewards two.
- **Transfers**: the same account, direction and asset, and
  - the same transaction hash where both give one (normal_hash: case and `0x` aside): one record
    whatever the quantities, at most HASH_WINDOW apart; two different hashes never pair;
  - else the exact quantity at most TRANSFER_TOLERANCE apart (a deposit is timed when it was seen
    by one and when it was credited by the other: Kraken's DepositStatus and its ledger);
  - else gross against net (a file may give what left the account and the API what arrived, the
    fee apart): one's quantity is the other's plus its fee, in the asset moved — taken only when
    each of the two is the other's one such candidate.
- **A date alone**: a file's record at midnight UTC exactly may carry only its date (Coinbase's
  2019 layout): its twin is one of that day (from INCOME_TOLERANCE before midnight), never of the
  day before.
- **Closest first**: candidate pairs are taken by time apart, then the stored record's id, so the
  pairing within a batch does not depend on the order of its rows."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import field
from typing import Protocol

from engine.core.lean_dataclass import lean_dataclass
from engine.core.units import MICROS_PER_DAY, MICROS_PER_SECOND, Amount, EpochMicros
from engine.ledger.events import EXCHANGE_SOURCE, Event

TRANSFER_SIDES = frozenset({"transfer_in", "transfer_out"})
MOVE_SIDES = frozenset({"income", *TRANSFER_SIDES})
INCOME_TOLERANCE = 2 * MICROS_PER_SECOND  # as a fill's: exports round times to the second
TRANSFER_TOLERANCE = MICROS_PER_DAY
HASH_WINDOW = 7 * MICROS_PER_DAY  # the same hash: one record, however differently each timed it
REACH = HASH_WINDOW  # the widest of them: how far around a batch's records the other source is read

Rank = tuple[int, int, int, int]  # what orders candidate pairs (smaller first)


class Stored(Protocol):
    """A record of the other source, as matching reads it (cross_source.StoredFill)."""

    @property
    def event_id(self) -> int: ...
    @property
    def asset(self) -> str: ...
    @property
    def side(self) -> str: ...
    @property
    def timestamp(self) -> EpochMicros: ...
    @property
    def quantity(self) -> Amount: ...
    @property
    def fee(self) -> Amount: ...
    @property
    def fee_asset(self) -> str: ...
    @property
    def tx_id(self) -> str | None: ...


def normal_hash(tx_id: str | None) -> str:
    """A transaction hash as compared: trimmed, lower case, without `0x` ('' for none)."""
    text = (tx_id or "").strip().lower()
    return text[2:] if text.startswith("0x") else text


def close_in_time(file_time: int, synced_time: int, tolerance: int) -> bool:
    """Whether a file's record and a synced one are near enough in time to be one record."""
    if (
        file_time % MICROS_PER_DAY == 0
    ):  # midnight UTC exactly: perhaps a date alone, the record later that day
        return file_time - INCOME_TOLERANCE <= synced_time < file_time + MICROS_PER_DAY
    return abs(file_time - synced_time) <= tolerance


@lean_dataclass()
class _Shelf:
    """The other source's records of one asset and side, in time order (with their hashes), and
    by hash."""

    records: list[tuple[Stored, str]] = field(default_factory=list)
    times: list[int] = field(default_factory=list)
    by_hash: dict[str, list[Stored]] = field(default_factory=dict)

    def add(self, record: Stored) -> None:
        digest = normal_hash(record.tx_id)
        self.records.append((record, digest))
        self.times.append(record.timestamp)
        if digest:
            self.by_hash.setdefault(digest, []).append(record)

    def near(self, event: Event, tolerance: int) -> list[tuple[Stored, str]]:
        """The records close_in_time may take for this event, and a few more."""
        moment = event.timestamp
        if not event.source.startswith(EXCHANGE_SOURCE):  # a file's record; the shelf's synced
            after = MICROS_PER_DAY if moment % MICROS_PER_DAY == 0 else tolerance
            return self._between(moment - tolerance, moment + after)
        found = self._between(moment - tolerance, moment + tolerance)
        midnight = moment - moment % MICROS_PER_DAY  # a file's date alone: this day's midnight
        if moment - midnight > tolerance:
            found += self._between(midnight, midnight)
        return found

    def _between(self, start: int, end: int) -> list[tuple[Stored, str]]:
        return self.records[bisect_left(self.times, start) : bisect_right(self.times, end)]


def match_moves(
    incoming: Sequence[tuple[str, Event]], stored: Sequence[Stored], taken: set[int]
) -> dict[str, int]:
    """Which of one source's incoming rewards and transfers (natural key, event) are records of
    the other source already stored: incoming key -> stored event id. `taken` holds the stored
    records already matched once; those matched here are added to it."""
    shelves: dict[tuple[str, str], _Shelf] = {}
    for record in sorted(stored, key=lambda r: (r.timestamp, r.event_id)):
        if record.side in MOVE_SIDES and record.event_id not in taken:
            shelves.setdefault((record.asset, record.side), _Shelf()).add(record)
    matched: dict[str, int] = {}
    rows = [(order, key, event, shelf) for order, (key, event) in enumerate(incoming)
            if event.side in MOVE_SIDES and (shelf := shelves.get((event.asset, event.side))) is not None]  # fmt: skip
    by_hash: list[tuple[Rank, str, int]] = []
    for order, key, event, shelf in rows:
        digest = normal_hash(event.tx_id)
        for record in shelf.by_hash.get(digest, ()) if digest else ():
            gap = abs(record.timestamp - event.timestamp)
            if gap <= HASH_WINDOW:
                by_hash.append(((int(record.quantity != event.quantity), gap, record.event_id, order), key,
                                record.event_id))  # fmt: skip
    _take(by_hash, matched, taken)
    exact: list[tuple[Rank, str, int]] = []
    for order, key, event, shelf in rows:
        if key not in matched:
            exact += [((0, gap, record.event_id, order), key, record.event_id)
                      for record, gap in _candidates(event, shelf, taken) if record.quantity == event.quantity]  # fmt: skip
    _take(exact, matched, taken)
    _gross_and_net(rows, matched, taken)
    return matched


def _candidates(event: Event, shelf: _Shelf, taken: set[int]) -> list[tuple[Stored, int]]:
    """The shelf's records not yet matched that may be this event by time and hash, with their
    distance in time."""
    tolerance = TRANSFER_TOLERANCE if event.side in TRANSFER_SIDES else INCOME_TOLERANCE
    from_file = not event.source.startswith(EXCHANGE_SOURCE)
    digest = normal_hash(event.tx_id)
    found = []
    for record, other in shelf.near(event, tolerance):
        if record.event_id in taken or (digest and other and digest != other):  # matched; two transactions
            continue
        file_time, synced_time = (
            (event.timestamp, record.timestamp) if from_file else (record.timestamp, event.timestamp)
        )
        if close_in_time(file_time, synced_time, tolerance):
            found.append((record, abs(record.timestamp - event.timestamp)))
    return found


def _take(pairs: list[tuple[Rank, str, int]], matched: dict[str, int], taken: set[int]) -> None:
    """Closest pairs first, each incoming and each stored record in one pair at most."""
    for _rank, key, event_id in sorted(pairs):
        if key not in matched and event_id not in taken:
            matched[key] = event_id
            taken.add(event_id)


def _gross_and_net(
    rows: list[tuple[int, str, Event, _Shelf]], matched: dict[str, int], taken: set[int]
) -> None:
    """Transfers left: one's quantity the other's plus its fee (in the asset moved), taken only
    where the incoming and the stored record are each other's one such candidate."""
    options: dict[str, list[int]] = {}
    chosen_by: dict[int, list[str]] = {}
    for _order, key, event, shelf in rows:
        if key in matched or event.side not in TRANSFER_SIDES:
            continue
        for record, _gap in _candidates(event, shelf, taken):
            if _differ_by_fee(event, record):
                options.setdefault(key, []).append(record.event_id)
                chosen_by.setdefault(record.event_id, []).append(key)
    for key, event_ids in options.items():
        if len(event_ids) == 1 and len(chosen_by[event_ids[0]]) == 1:
            matched[key] = event_ids[0]
            taken.add(event_ids[0])


def _differ_by_fee(event: Event, record: Stored) -> bool:
    own_fee = event.fee if event.fee_asset == event.asset else 0
    their_fee = record.fee if record.fee_asset == record.asset else 0
    return bool(
        (their_fee and event.quantity == record.quantity + their_fee)
        or (own_fee and event.quantity + own_fee == record.quantity)
    )
