"""Alert conditions and their memory: each fires once per crossing, keeps quiet for a cooldown,
and speaks again only when it has worsened by `rearm_fraction`. State lives in the store so
repeated `harvest watch --once` runs from cron behave like one long-running monitor."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from engine.config.load import AlertsConfig
from engine.core import fixedpoint as fp
from engine.core.dates import days_to_year_end
from engine.planning.candidates import Candidate
from engine.planning.checklist import Checklist
from engine.store.store import Store, write_transaction


@dataclass(frozen=True)
class Alert:
    key: str
    kind: str  # total_savings | asset_savings | long_term_soon | deadline | rebuy_due
    message: str
    value: str  # the figure that crossed (decimal string), for machines
    at: int  # epoch micros

    def as_json(self) -> str:
        return json.dumps(asdict(self), sort_keys=True)


@dataclass(frozen=True)
class Condition:
    key: str
    kind: str
    message: str
    value: int  # larger is worse (more savings waiting, fewer days left...)


def conditions(
    candidates: list[Candidate],
    alerts: AlertsConfig,
    today: int,
    year: int,
    store: Store,
    now: int,
    stale: bool,
) -> list[Condition]:
    """Every alert condition that holds now."""
    found: list[Condition] = []
    suffix = " (prices stale: estimate)" if stale else ""
    positive = [c for c in candidates if c.net_savings > 0]
    total = sum(c.net_savings for c in positive)
    if positive and total >= fp.from_decimal(alerts.min_net_savings):
        found.append(Condition("total", "total_savings",
                               f"harvesting now saves ${fp.fmt_cents(total)} net across {len(positive)} position(s){suffix}",
                               total))  # fmt: skip
    per_asset: dict[tuple[str, str], int] = {}
    for c in positive:
        per_asset[(c.account, c.asset)] = per_asset.get((c.account, c.asset), 0) + c.net_savings
    for (account, asset), saving in sorted(per_asset.items()):
        if saving >= fp.from_decimal(alerts.min_asset_net_savings):
            found.append(Condition(f"asset:{account}:{asset}", "asset_savings",
                                   f"{asset} on {account}: harvesting saves ${fp.fmt_cents(saving)} net{suffix}", saving))  # fmt: skip
    for c in candidates:
        if c.term == "short" and c.days_to_long_term <= alerts.long_term_days:
            found.append(Condition(f"lt:{c.account}:{c.asset}", "long_term_soon",
                                   f"{c.asset} on {c.account}: a loss of ${fp.fmt_cents(-c.loss)} turns long-term in "
                                   f"{c.days_to_long_term}d", alerts.long_term_days - c.days_to_long_term))  # fmt: skip
    days_left = days_to_year_end(today, year)
    crossed = [t for t in alerts.deadline_days if days_left <= t]
    if total > 0 and crossed:
        threshold = min(crossed)  # the tightest mark passed: one alert per mark, not a burst
        found.append(Condition(f"deadline:{year}:{threshold}", "deadline",
                               f"{days_left}d to Dec 31 with ${fp.fmt_cents(total)} of net savings left", total))  # fmt: skip
    for step in Checklist(store.conn).steps():
        if (
            step.state in ("sold", "rebuy_due")
            and step.rebuy
            and step.rebuy_after is not None
            and now >= step.rebuy_after
        ):
            found.append(Condition(f"rebuy:{step.id}", "rebuy_due",
                                   f"rebuy {fp.fmt(step.quantity, 0)} {step.asset} on {step.account} is due (step {step.number})",
                                   1))  # fmt: skip
    return found


def decide(store: Store, holding: list[Condition], alerts: AlertsConfig, now: int) -> list[Alert]:
    """Which conditions to announce, updating the remembered state in one transaction."""
    cooldown = alerts.cooldown_minutes * 60_000_000
    rearm = alerts.rearm_fraction
    raised: list[Alert] = []
    with write_transaction(store.conn) as conn:
        remembered = {key: (int(value), sent) for key, value, sent in conn.execute(
            "SELECT key, value, sent_at FROM alert_state WHERE active = 1")}  # fmt: skip
        holding_keys = {c.key for c in holding}
        for key in set(remembered) - holding_keys:  # no longer true: re-arm for the next crossing
            conn.execute("UPDATE alert_state SET active = 0 WHERE key = ?", (key,))
        for c in holding:
            previous = remembered.get(c.key)
            if previous is not None:
                value, sent = previous
                worse = (
                    c.value >= value + fp.from_decimal(fp.to_decimal(abs(value)) * rearm) and c.value > value
                )
                if now - sent < cooldown or not worse:
                    continue
            raised.append(
                Alert(c.key, c.kind, c.message, fp.fmt(c.value, 0) if c.kind != "rebuy_due" else "1", now)
            )
            conn.execute(
                "INSERT INTO alert_state (key, active, value, sent_at) VALUES (?, 1, ?, ?) ON CONFLICT(key) DO UPDATE "
                "SET active = 1, value = excluded.value, sent_at = excluded.sent_at",
                (c.key, str(c.value), now),
            )
    return raised
