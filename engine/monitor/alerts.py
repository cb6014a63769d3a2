"""Alert conditions and the one rule for announcing them: each fires once per crossing, keeps
quiet for a cooldown, and speaks again only when it has worsened by `rearm_fraction`; once it
no longer holds it re-arms, and its next crossing speaks at once.

The rule (`decide_alerts`) is pure. Its memory differs by user: the monitor keeps it in the
store (`decide`), so repeated `harvest watch --once` runs from cron behave like one
long-running monitor; the app keeps its own in memory (`AlertMemory`), so it never consumes
the monitor's."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, field

from engine.config.load import AlertsConfig
from engine.core import fixedpoint as fp
from engine.core.dates import days_to_year_end
from engine.core.units import MICROS_PER_MINUTE, DayOrdinal, EpochMicros
from engine.planning.candidates import Candidate
from engine.planning.checklist import Checklist, Step
from engine.store.alert_memory import stored_alert_memory
from engine.store.store import Store


@dataclass(frozen=True)
class Alert:
    key: str
    kind: str  # total_savings | asset_savings | long_term_soon | deadline | rebuy_due
    message: str
    value: str  # the figure that crossed (decimal string), for machines
    at: EpochMicros

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
    today: DayOrdinal,
    year: int,
    store: Store,
    now: EpochMicros,
    stale: bool,
) -> list[Condition]:
    """Every alert condition that holds now, the checklist read from the store."""
    steps = Checklist(store.conn).steps()
    return holding_conditions(candidates, alerts, today, year, steps, now, stale)


def holding_conditions(
    candidates: Sequence[Candidate],
    alerts: AlertsConfig,
    today: DayOrdinal,
    year: int,
    steps: Sequence[Step],
    now: EpochMicros,
    stale: bool,
) -> list[Condition]:
    """Every alert condition that holds now, given the candidates and the checklist's steps."""
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
    for step in steps:
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


Sent = tuple[int, EpochMicros]  # an active alert: the value it was last sent at, and when


@dataclass(frozen=True)
class Decision:
    raised: list[Alert] = field(default_factory=list)
    sent: dict[str, Sent] = field(default_factory=dict)  # remember these as active
    rearmed: list[str] = field(default_factory=list)  # these no longer hold: forget them


def decide_alerts(
    active: Mapping[str, Sent], holding: Sequence[Condition], alerts: AlertsConfig, now: EpochMicros
) -> Decision:
    """Which of the holding conditions to announce, given the active alerts remembered."""
    cooldown = alerts.cooldown_minutes * MICROS_PER_MINUTE
    rearm = alerts.rearm_fraction
    decision = Decision()
    holding_keys = {c.key for c in holding}
    decision.rearmed.extend(sorted(set(active) - holding_keys))
    for c in holding:
        previous = active.get(c.key)
        if previous is not None:
            value, sent = previous
            # quantized: a value with all 18 decimals times the fraction has more (it raised)
            margin = fp.from_decimal(fp.quantize(fp.to_decimal(abs(value)) * rearm))
            worse = c.value >= value + margin and c.value > value
            if now - sent < cooldown or not worse:
                continue
        decision.raised.append(
            Alert(c.key, c.kind, c.message, fp.fmt(c.value, 0) if c.kind != "rebuy_due" else "1", now)
        )
        decision.sent[c.key] = (c.value, now)
    return decision


def decide(store: Store, holding: list[Condition], alerts: AlertsConfig, now: EpochMicros) -> list[Alert]:
    """The monitor's decision, its memory read and updated in one store transaction, which also
    queues each raised alert for every sink (delivered, and marked, by the monitor)."""
    with stored_alert_memory(store.conn) as memory:
        decision = decide_alerts(memory.active(), holding, alerts, now)
        memory.rearm(decision.rearmed)
        for key, (value, at) in decision.sent.items():
            memory.sent(key, value, at)
        for alert in decision.raised:
            memory.queue(alert.as_json(), [sink_key(sink) for sink in alerts.sinks], now)
    return decision.raised


def sink_key(sink: Mapping[str, str]) -> str:
    """A sink's identity in the outbox: its config, so a queued alert goes to the sink it was
    meant for (and is dropped if that sink is no longer configured)."""
    return json.dumps(dict(sink), sort_keys=True)


@dataclass
class AlertMemory:
    """The app's memory: the same rule, kept in memory for one session."""

    active: dict[str, Sent] = field(default_factory=dict)

    def decide(self, holding: Sequence[Condition], alerts: AlertsConfig, now: EpochMicros) -> list[Alert]:
        decision = decide_alerts(self.active, holding, alerts, now)
        for key in decision.rearmed:
            del self.active[key]
        self.active.update(decision.sent)
        return decision.raised
