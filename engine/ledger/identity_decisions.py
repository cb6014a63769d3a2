"""What a user's alias or migration decision must be to be recorded (engine.ledger.decisions
ALIAS and MIGRATION, applied by engine.ledger.identity): each check refuses with one line why
(ValueError), and a decision comes back as its (subject, detail) with notes worth saying.

Detail shapes (stored as JSON):
- alias, subject a source's code: {"asset": the asset it is}
- migration, subject "OLD>NEW", at a time: {"ratio": decimal text (new units per old unit),
  "at": epoch micros, "accounts": [names] (absent: every account)}
- migration, subject "OLD>NEW", from two records: {"out": natural key of the OLD withdrawal or
  sale, "in": natural key of the NEW deposit or buy}; from one convert record (OLD sold for NEW,
  or NEW bought with OLD): both keys the same"""

from __future__ import annotations

from typing import Any, NamedTuple

from engine.core import fixedpoint as fp
from engine.core.units import Amount, EpochMicros
from engine.ledger.assets import wrapped_of
from engine.ledger.events import USD
from engine.ledger.identity import IN_SIDES, OUT_SIDES, AssetIdentity, Record

MAX_RATIO = fp.parse("1000000000")  # a redenomination past a billion to one is a typo
REF_HELP = "a trade id or E<n> as reports show it, or a record's natural key"  # how a record is named


class Proposed(NamedTuple):
    subject: str
    detail: dict[str, Any]
    notes: list[str]


def asset_code(text: str, what: str) -> str:
    code = text.strip().upper()
    if not code or any(c.isspace() or c in ">|" for c in code):
        raise ValueError(f"{what}: expected an asset code like BTC, got {text!r}")
    if code == USD:
        raise ValueError(f"{what}: USD is the currency amounts are in, not an asset to rename")
    return code


def alias(code_text: str, asset_text: str, identity: AssetIdentity, seen: set[str]) -> Proposed:
    """CODE is ASSET from now on; `seen` is the assets the ledger holds (for the notes)."""
    code, asset = asset_code(code_text, "CODE"), asset_code(asset_text, "ASSET")
    if code == asset:
        raise ValueError(f"{code} is already {asset}")
    if identity.canonical(asset) == code:
        raise ValueError(f"{asset} is read as {code} already (an alias in force): undo that one first")
    notes = []
    if wrapped_of(code) == asset or wrapped_of(asset) == code:
        notes.append(
            f"{code} and {asset} are a coin and its wrapped or staked token: harvest keeps them apart "
            "because wrapping may be a disposal; this alias makes them one asset"
        )
    if code not in seen:
        notes.append(f"no record holds {code} yet: the alias applies when one is imported")
    return Proposed(code, {"asset": asset}, notes)


def ratio_units(text: str) -> Amount:
    try:
        ratio = fp.parse(text)
    except ValueError:
        raise ValueError(
            f"--ratio: expected a number (new units per old unit, like 1 or 0.01), got {text!r}"
        ) from None
    if not 0 < ratio <= MAX_RATIO:
        raise ValueError(f"--ratio: must be above 0 and at most {fp.fmt(MAX_RATIO, 0)}, got {text}")
    return ratio


def migration_at(
    old_text: str, new_text: str, ratio_text: str, at: EpochMicros, accounts: list[str], seen: set[str]
) -> Proposed:
    """Everything held of OLD at `at` (in `accounts`, or all) becomes NEW x ratio."""
    old, new = _pair(old_text, new_text)
    ratio = ratio_units(ratio_text)
    detail: dict[str, Any] = {"ratio": fp.fmt(ratio, 0), "at": int(at)}
    if accounts:
        detail["accounts"] = sorted({a.strip() for a in accounts if a.strip()})
    notes = (
        [] if old in seen else [f"no record holds {old}: the migration moves nothing until one is imported"]
    )
    return Proposed(f"{old}>{new}", detail, notes)


def migration_of_records(
    old_text: str, new_text: str, out: Record, into: Record, identity: AssetIdentity
) -> Proposed:
    """The exchange's OLD withdrawal or sale and NEW deposit or buy are one migration."""
    old, new = _pair(old_text, new_text)
    for record, sides, asset, role in ((out, OUT_SIDES, old, "--out"), (into, IN_SIDES, new, "--in")):
        if record.side not in sides:
            raise ValueError(
                f"{role} {record.ref}: a {record.side} ({record.account} {record.asset}); "
                f"expected one of {', '.join(sides)}"
            )
        if identity.canonical(record.asset) != identity.canonical(asset):
            raise ValueError(f"{role} {record.ref}: a record of {record.asset}, not {asset}")
    notes = []
    if abs(into.timestamp - out.timestamp) > 7 * 86_400_000_000:
        notes.append(f"{out.ref} and {into.ref} are more than 7 days apart: check they are one migration")
    return Proposed(f"{old}>{new}", {"out": out.key, "in": into.key}, notes)


def migration_of_convert(old_text: str, new_text: str, record: Record, identity: AssetIdentity) -> Proposed:
    """The exchange's one convert record (OLD sold for NEW, or NEW bought with OLD) is a
    migration: `out` and `in` name the same record."""
    old, new = _pair(old_text, new_text)
    asset, quote = identity.canonical(record.asset), identity.canonical(record.quote)
    if (record.side, asset, quote) not in (
        ("sell", old, new),
        ("buy", new, old),
    ) or record.quote_quantity is None:
        raise ValueError(
            f"--convert {record.ref}: a {record.side} of {record.asset} for {record.quote}; expected {old} sold "
            f"for {new} or {new} bought with {old}"
        )
    return Proposed(f"{old}>{new}", {"out": record.key, "in": record.key}, [])


def _pair(old_text: str, new_text: str) -> tuple[str, str]:
    old, new = asset_code(old_text, "OLD"), asset_code(new_text, "NEW")
    if old == new:
        raise ValueError(f"OLD and NEW are both {old}")
    return old, new
