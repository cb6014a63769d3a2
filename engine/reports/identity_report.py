"""`harvest assets list`: the canonical asset table, the user's aliases and migrations (in force,
or every one with when it was undone) and, when asked, suggestions — as JSON rows and as text."""

from __future__ import annotations

import textwrap
from datetime import tzinfo
from typing import Any

from engine.core.dates import iso_utc, parse_timestamp, to_datetime
from engine.core.units import EpochMicros
from engine.ledger.asset_suggestions import Suggestion
from engine.ledger.assets import BINANCE_VARIANTS, EARN_PREFIX, MIGRATED, SUFFIXES, VARIANTS, WRAPPED
from engine.ledger.decisions import ALIAS, MIGRATION, Decision
from engine.ledger.identity import AssetIdentity, split_subject

WIDTH = 100  # the table's long lists, wrapped to read


def identity_rows(
    decisions: list[Decision], identity: AssetIdentity, suggestions: list[Suggestion] | None
) -> dict[str, Any]:
    """Everything `assets list` shows, times in UTC (ISO 8601)."""
    in_force = {m.decision_id: m for m in identity.migrations}
    aliases, migrations = [], []
    for decision in decisions:
        made = {"id": decision.id, "reason": decision.reason, "made_at": iso_utc(decision.made_at),
                "undone_at": None if decision.undone_at is None else iso_utc(decision.undone_at)}  # fmt: skip
        if decision.kind == ALIAS:
            aliases.append({"code": decision.subject, "asset": decision.detail.get("asset"), **made})
        elif decision.kind == MIGRATION:
            old, new = split_subject(decision.subject)
            detail = dict(decision.detail)
            if "at" in detail:
                detail["at"] = iso_utc(EpochMicros(int(detail["at"])))
            migration = in_force.get(decision.id)
            applied = decision.active and migration is not None and migration.applicable
            if migration is not None and migration.out_record is not None and migration.in_record is not None:
                detail["out_ref"], detail["in_ref"] = migration.out_record.ref, migration.in_record.ref
            migrations.append({"old": old, "new": new, **detail, "applied": applied, **made})
    rows: dict[str, Any] = {
        "table": {
            "variants": VARIANTS,
            "suffixes": list(SUFFIXES),
            "binance": {"earn_prefix": EARN_PREFIX, "variants": BINANCE_VARIANTS},
            "kept_apart": WRAPPED,
            "migrated": [m._asdict() for m in MIGRATED],
        },
        "aliases": aliases,
        "migrations": migrations,
    }
    if suggestions is not None:
        rows["suggestions"] = [s._asdict() for s in suggestions]
    return rows


def identity_text(rows: dict[str, Any], zone: tzinfo) -> str:
    """The same, to read; times in the tax zone."""
    table = rows["table"]
    by_coin: dict[str, list[str]] = {}
    for code, coin in table["variants"].items():
        by_coin.setdefault(coin, []).append(code)
    lines = [
        "Canonical assets (built in, applied as files and exchanges are read):",
        f"  staking and earn suffixes name the coin: {' '.join(table['suffixes'])} (DOT.S, DOT28.S are DOT)",
        _wrapped("  codes: " + "; ".join(f"{', '.join(codes)} -> {coin}" for coin, codes in by_coin.items())),
        f"  Binance: the {table['binance']['earn_prefix']} earn prefix (LDBTC is BTC); "
        + ", ".join(f"{code} -> {coin}" for code, coin in table["binance"]["variants"].items()),
        _wrapped(
            "  kept apart (wrapped and staked tokens; wrapping may be a disposal): "
            + ", ".join(table["kept_apart"])
        ),
        "",
        "Your aliases:" if rows["aliases"] else "Your aliases: none (harvest assets alias CODE ASSET)",
    ]
    for alias in rows["aliases"]:
        lines.append(f"  #{alias['id']}  {alias['code']} is {alias['asset']}{_made(alias, zone)}")
    lines.append("")
    migrations = rows["migrations"]
    lines.append(
        "Your migrations:" if migrations else "Your migrations: none (harvest assets migrate OLD NEW ...)"
    )
    for migration in migrations:
        if "out" in migration:
            out_ref, in_ref = migration.get("out_ref"), migration.get("in_ref")
            what = (
                f"the records {out_ref or _short(migration['out'])} and {in_ref or _short(migration['in'])}"
            )
            if not migration["applied"] and migration["undone_at"] is None:
                what += " (not both in the store: not applied)"
        else:
            accounts = ", ".join(migration.get("accounts", ())) or "every account"
            at = to_datetime(parse_timestamp(migration["at"]), zone).strftime("%Y-%m-%d %H:%M")
            what = f"x{migration['ratio']} at {at} ({accounts})"
        lines.append(
            f"  #{migration['id']}  {migration['old']} -> {migration['new']} {what}{_made(migration, zone)}"
        )
    if "suggestions" in rows:
        lines.append("")
        lines.append("Suggestions:" if rows["suggestions"] else "Suggestions: none")
        for suggestion in rows["suggestions"]:
            lines.append(f"  {suggestion['code']} -> {suggestion['asset']}: {suggestion['why']}")
            lines.append(f"    {suggestion['command']}")
    return "\n".join(lines) + "\n"


def _wrapped(text: str) -> str:
    return textwrap.fill(text, WIDTH, subsequent_indent="    ", break_on_hyphens=False)


def _made(row: dict[str, Any], zone: tzinfo) -> str:
    when = to_datetime(parse_timestamp(row["made_at"]), zone).strftime("%Y-%m-%d")
    text = f"  (made {when}{': ' + row['reason'] if row['reason'] else ''})"
    if row["undone_at"] is not None:
        text += f" undone {to_datetime(parse_timestamp(row['undone_at']), zone).strftime('%Y-%m-%d')}"
    return text


def _short(key: str) -> str:
    """A natural key as people read it: `account|id|T1` is T1 in account."""
    account, _, rest = key.partition("|")
    return f"{rest.rpartition('|')[2]} ({account})"
