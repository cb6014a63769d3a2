"""Assets in the ledger that look like another one the user may want to alias or migrate — a
known code for a coin a file kept as it was (`XBT`, `DOT.S`), a code under an earn prefix or a
staking suffix whose coin the ledger holds (`LDBTC` beside `BTC`), a renamed ticker (`CGLD`,
`LUNA`), or a coin that migrated (`MATIC` -> `POL`: as the exchange's own pair of records when
it wrote one, a sale and a buy that would book a fake loss). Suggestions only: nothing changes
until the user records the decision (the command given with each)."""

from __future__ import annotations

from typing import NamedTuple

from engine.core import fixedpoint as fp
from engine.core.dates import iso_utc
from engine.ledger.assets import (
    MIGRATED,
    RENAMED_TICKERS,
    Renamed,
    canonical_asset,
    strip_known_affix,
    wrapped_of,
)
from engine.ledger.decisions import ALIAS, MIGRATION
from engine.ledger.identity import AssetIdentity
from engine.ledger.legs import ACQUIRE, DISPOSE, MOVE_IN, MOVE_OUT
from engine.ledger.records import Ledger, LegRow

PAIR_WINDOW = 7 * 86_400_000_000  # the new asset arrives within a week of the old one leaving
EARLY = 3_600_000_000  # ... or up to an hour before it (venue clocks differ)
TOLERANCE_BPS = 100  # and its quantity within 1% of the old quantity x the ratio


class Suggestion(NamedTuple):
    code: str  # the code the ledger holds
    asset: str  # what it likely is (an alias) or became (a migration)
    kind: str  # decisions.ALIAS or decisions.MIGRATION
    why: str
    command: str  # the `harvest assets` command that records it
    # a migration's records, as the command names them: (out, in) for the exchange's pair of
    # records, (convert,) for its one convert record; () for an alias or a migration at its date
    refs: tuple[str, ...] = ()
    account: str = ""  # where the records are (a migration's)
    at: int | None = None  # the OLD record's time, epoch micros (a migration's)


def suggested_aliases(ledger: Ledger, identity: AssetIdentity | None = None) -> list[Suggestion]:
    """What to alias or migrate, by code; none for what `identity` has decided already."""
    held = {asset for _account, asset in ledger.pools.values()}
    decided = {(m.old, m.new) for m in identity.migrations} if identity else set()
    found = alias_suggestions(held)
    for renamed in MIGRATED:
        if renamed.old in held and (renamed.old, renamed.new) not in decided:
            found.extend(_migrations(ledger, renamed))
    return found


def alias_suggestions(held: set[str]) -> list[Suggestion]:
    """The aliases alone, by code, for the assets the ledger holds (as its aliases read them)."""
    found: list[Suggestion] = []
    for code in sorted(held):
        if wrapped_of(code) is not None:
            continue  # another token, not the coin (assets.WRAPPED)
        coin = canonical_asset(code)
        why = f"a known code for {coin}"
        if coin == code:
            coin, why = strip_known_affix(code) or code, "an earn or staking code of a coin the ledger holds"
            if coin not in held:
                coin = code
        if coin == code and code in RENAMED_TICKERS:
            coin, why = RENAMED_TICKERS[code]
        if coin != code:
            found.append(Suggestion(code, coin, ALIAS, why, f"harvest assets alias {code} {coin}"))
    return found


def _migrations(ledger: Ledger, renamed: Renamed) -> list[Suggestion]:
    """The exchange's own records of the migration when they are there (a convert of OLD to
    NEW, or an OLD sale or withdrawal and a NEW buy or deposit in one account, quantities in the
    ratio), else the migration at its date."""
    old, new = renamed.old, renamed.new
    outs = [leg for leg in ledger.legs if leg[1] in (DISPOSE, MOVE_OUT) and ledger.pools[leg[0]][1] == old]
    ins = [leg for leg in ledger.legs if leg[1] in (ACQUIRE, MOVE_IN) and ledger.pools[leg[0]][1] == new]
    ratio = fp.parse(renamed.ratio)
    found = _converts(ledger, renamed, outs, ins)
    used: set[int] = set()
    for out in outs:
        if ":" in out[5]:
            continue  # a trade's quote or fee leg, not a record of its own
        account = ledger.pools[out[0]][0]
        expected = int(out[3]) * ratio // fp.SCALE
        for index, into in enumerate(ins):
            if index in used or ledger.pools[into[0]][0] != account or ":" in into[5]:
                continue
            if _matches(out, into, expected):
                used.add(index)
                why = (
                    f"{renamed.note}: {account} shows it as {_shape(out, old)} and {_shape(into, new)} "
                    f"on {iso_utc(out[2])[:10]}, a sale and a buy that book a gain or loss"
                )
                command = f"harvest assets migrate {old} {new} --out {out[5]} --in {into[5]}"
                found.append(
                    Suggestion(old, new, MIGRATION, why, command, (out[5], into[5]), account, out[2])
                )
                break
    if not found:
        why = f"{renamed.note} from {renamed.on}"
        command = f"harvest assets migrate {old} {new} --ratio {renamed.ratio} --at {renamed.on}"
        found.append(Suggestion(old, new, MIGRATION, why, command))
    return found


def _converts(ledger: Ledger, renamed: Renamed, outs: list[LegRow], ins: list[LegRow]) -> list[Suggestion]:
    """One trade of OLD for NEW (a sale of OLD whose quote is NEW, or a buy of NEW paid in OLD):
    its two legs share the time, the account and the trade's ref (one of them `REF:ASSET`)."""
    old, new = renamed.old, renamed.new

    def trade_of(leg: LegRow, asset: str) -> tuple[str, int, str]:
        ref = leg[5].removesuffix(f":{asset}")
        return ledger.pools[leg[0]][0], leg[2], ref

    arrived = {trade_of(leg, new): leg for leg in ins if leg[1] == ACQUIRE}
    found = []
    for out in outs:
        if out[1] != DISPOSE or out[5].endswith(":fee"):
            continue
        trade = trade_of(out, old)
        into = arrived.get(trade)
        if into is not None and (out[5] != trade[2] or into[5] != trade[2]):
            why = (
                f"{renamed.note}: {trade[0]} shows it as a trade of {fp.fmt(int(out[3]), 0)} {old} for "
                f"{fp.fmt(int(into[3]), 0)} {new} ({trade[2]}) on {iso_utc(out[2])[:10]}, which books a gain or loss"
            )
            command = f"harvest assets migrate {old} {new} --convert {trade[2]}"
            found.append(Suggestion(old, new, MIGRATION, why, command, (trade[2],), trade[0], out[2]))
    return found


def _matches(out: LegRow, into: LegRow, expected: int) -> bool:
    if not out[2] - EARLY <= into[2] <= out[2] + PAIR_WINDOW:
        return False
    return abs(int(into[3]) - expected) * 10_000 <= expected * TOLERANCE_BPS


def _shape(leg: LegRow, asset: str) -> str:
    words = {DISPOSE: "a sale", MOVE_OUT: "a withdrawal", ACQUIRE: "a buy", MOVE_IN: "a deposit"}
    return f"{words[leg[1]]} of {fp.fmt(int(leg[3]), 0)} {asset} ({leg[5]})"
