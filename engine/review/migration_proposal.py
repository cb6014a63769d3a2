"""The migration a user names — by a time and ratio, by the exchange's two records, or by its one
convert record — checked and turned into the decision to record (engine.ledger.identity_decisions
makes it). One home for `harvest assets migrate` and the app's Problems screen (`m` on an asset
migration problem)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, date, datetime

from engine.api import Engine
from engine.core.dates import parse_timestamp
from engine.core.units import EpochMicros
from engine.ledger import identity_decisions
from engine.ledger.events import EARLIEST, LATEST
from engine.ledger.identity import Record
from engine.ledger.identity_decisions import REF_HELP, Proposed


def propose_migration(
    engine: Engine,
    old: str,
    new: str,
    *,
    ratio: str | None = None,
    at: str | None = None,
    accounts: Sequence[str] = (),
    out_ref: str | None = None,
    in_ref: str | None = None,
    convert_ref: str | None = None,
) -> tuple[Proposed, str]:
    """The migration the options describe, and what it does in words; ValueError when they
    describe none (the message names the option as `harvest assets migrate` spells it)."""
    store = engine.store
    by_records = out_ref is not None or in_ref is not None
    by_time = ratio is not None or at is not None
    by_convert = convert_ref is not None
    if by_records + by_time + by_convert != 1:
        raise ValueError(
            "migrate: give --ratio R --at WHEN, or --out REF --in REF (the exchange's two records), "
            "or --convert REF (its one convert record)"
        )
    if convert_ref is not None:
        if accounts:
            raise ValueError("migrate: --convert takes no --account (the record names its own)")
        record = named_record(engine, "--convert", convert_ref)
        proposed = identity_decisions.migration_of_convert(old, new, record, store.asset_identity())
        return proposed, f"{record.ref} is a migration, not a trade"
    if by_records:
        if out_ref is None or in_ref is None or accounts:
            raise ValueError(
                "migrate: --out and --in go together (and without --account: the records name theirs)"
            )
        sent, received = named_record(engine, "--out", out_ref), named_record(engine, "--in", in_ref)
        proposed = identity_decisions.migration_of_records(old, new, sent, received, store.asset_identity())
        return proposed, f"{sent.ref} and {received.ref} are one migration, not a sale and a buy"
    if ratio is None or at is None:
        raise ValueError("migrate: --ratio and --at go together")
    proposed = identity_decisions.migration_at(
        old, new, ratio, _when(engine, at), list(accounts), store.pool_assets()
    )
    moved_to = proposed.subject.partition(">")[2]
    return proposed, f"every holding becomes {proposed.detail['ratio']} {moved_to} per unit"


def named_record(engine: Engine, option: str, name: str) -> Record:
    found = engine.store.records_named(name)
    if not found:
        raise ValueError(f"{option} {name}: no record has that id ({REF_HELP})")
    if len(found) > 1:
        keys = ", ".join(record.key for record in found)
        raise ValueError(
            f"{option} {name}: {len(found)} records have that trade id; name one by its key: {keys}"
        )
    return found[0]


def _when(engine: Engine, text: str) -> EpochMicros:
    """A date (its midnight in the tax zone) or an ISO time with a zone."""
    try:
        if len(text.strip()) == 10:
            day = date.fromisoformat(text.strip())
            since = datetime(day.year, day.month, day.day, tzinfo=engine.calendar.zone) - datetime(
                1970, 1, 1, tzinfo=UTC
            )
            at = EpochMicros((since.days * 86_400 + since.seconds) * 1_000_000)
        else:
            at = parse_timestamp(text)
    except ValueError:
        raise ValueError(f"--at: expected YYYY-MM-DD or an ISO time with a zone, got {text!r}") from None
    if not EARLIEST <= at < LATEST:
        raise ValueError(f"--at: {text} is outside the years a record may carry")
    return at
