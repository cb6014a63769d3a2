"""One alert rule, two memories: the monitor's in the store, the app's in memory."""

from __future__ import annotations

from decimal import Decimal

from engine.config.load import AlertsConfig
from engine.monitor.alerts import AlertMemory, Condition, decide, decide_alerts
from engine.store.store import Store
from tests.support import usd

MINUTE = 60_000_000
RULE = AlertsConfig(cooldown_minutes=60, rearm_fraction=Decimal("0.25"))


def total(value: str) -> Condition:
    return Condition("total", "total_savings", f"saves {value}", usd(value))


def asset(value: str) -> Condition:
    return Condition("asset:kraken:SOL", "asset_savings", f"SOL saves {value}", usd(value))


# (minutes from the start, conditions holding, keys announced)
SCRIPT: list[tuple[int, list[Condition], list[str]]] = [
    (0, [], []),
    (1, [total("1500")], ["total"]),  # crosses
    (2, [total("1500"), asset("900")], ["asset:kraken:SOL"]),  # a second one crosses; the first holds
    (10, [total("2250"), asset("900")], []),  # worse by 50%, inside the cooldown
    (62, [total("1800"), asset("900")], []),  # after the cooldown, but worse by less than 25%
    (75, [total("2250"), asset("900")], ["total"]),  # after the cooldown and worse by 50%: again
    (76, [asset("900")], []),  # the total no longer holds: re-armed
    (77, [total("1000"), asset("900")], ["total"]),  # a new crossing speaks at once, even smaller
]


def test_the_store_and_the_memory_announce_the_same(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    memory = AlertMemory()
    for minute, holding, expected in SCRIPT:
        now = minute * MINUTE
        by_store = [a.key for a in decide(store, holding, RULE, now)]
        by_memory = [a.key for a in memory.decide(holding, RULE, now)]
        assert by_store == by_memory == expected, minute


def test_the_apps_memory_leaves_the_monitors_alone(tmp_path):
    store = Store(tmp_path / "s.sqlite3")
    assert [a.key for a in decide(store, [total("1500")], RULE, 0)] == ["total"]
    app = AlertMemory()
    assert [a.key for a in app.decide([total("1500")], RULE, MINUTE)] == ["total"]  # its own first crossing
    rows = store.conn.execute("SELECT key, value, sent_at FROM alert_state").fetchall()
    assert rows == [("total", str(usd("1500")), 0)]


def test_values_with_every_decimal_are_compared_exactly():
    """A saving with all 18 decimals, times the re-arm fraction, has more than 18 (it raised)."""
    value = usd("3289.603758996754598921")
    active = {"total": (value, 0)}
    holding = [Condition("total", "total_savings", "m", value)]
    assert decide_alerts(active, holding, RULE, 120 * MINUTE).raised == []
    worse = [Condition("total", "total_savings", "m", value + usd("822.400939749188649731"))]
    assert [a.key for a in decide_alerts(active, worse, RULE, 120 * MINUTE).raised] == ["total"]
