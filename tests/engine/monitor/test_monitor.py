"""The monitor's alerts over a scripted price path: one per crossing, cooldown, re-arm, sinks."""

from __future__ import annotations

import http.server
import json
import threading
from decimal import Decimal
from pathlib import Path

from engine.api import Engine
from engine.config.load import AlertsConfig, Config, HarvestConfig, TaxConfig
from engine.imports.generic_csv import parse_csv
from engine.monitor.monitor import Monitor
from engine.store.store import Store, keys_of
from tests.support import HEADER, clock_at, usd

# A 29,985 long-term gain this year (income 150,000: 15%) and 100 SOL bought at 250.
LEDGER = f"""{HEADER}
2025-01-05T15:00:00Z,kraken,BTC,buy,1,40000,10,K1
2026-02-01T15:00:00Z,kraken,BTC,sell,0.5,100000,10,K2
2026-03-01T15:00:00Z,kraken,SOL,buy,100,250,0,K3
"""
MINUTE = 60_000_000


class Clock:
    def __init__(self, start: int) -> None:
        self.now = start

    def __call__(self) -> int:
        return self.now


def monitor(tmp_path: Path, sinks: list[dict[str, str]], **alerts: object) -> tuple[Monitor, Clock, dict]:
    config = Config(
        tax=TaxConfig(timezone="America/New_York", ordinary_taxable_income=Decimal(150_000)),
        harvest=HarvestConfig(fee_rate=Decimal(0), spread=Decimal(0)),
        alerts=AlertsConfig(min_net_savings=Decimal(1000), min_asset_net_savings=Decimal(10**9), long_term_days=0,
                            deadline_days=[], cooldown_minutes=60, sinks=sinks, **alerts),  # type: ignore[arg-type]
    )  # fmt: skip
    store = Store(tmp_path / "s.sqlite3")
    store.import_events(keys_of(parse_csv(LEDGER, "t.csv")), "t", frozenset({"USD"}))
    clock = Clock(clock_at("2026-11-02T12:00:00")())
    prices: dict = {"BTC": usd("90000"), "SOL": usd("250")}
    engine = Engine(config, store, clock)
    watcher = Monitor(engine, lambda: (dict(prices), clock.now))
    return watcher, clock, prices


def test_one_alert_per_crossing_with_cooldown_and_rearm(tmp_path, capsys):
    watcher, clock, prices = monitor(tmp_path, [{"type": "stdout"}])
    assert watcher.cycle() == []  # SOL at cost: nothing to harvest
    prices["SOL"] = usd("150")  # loss 10,000 at 15% = 1,500 >= 1,000: crosses
    (alert,) = watcher.cycle()
    assert alert.kind == "total_savings"
    assert alert.value == "1500"
    assert "[harvest] harvesting now saves $1500.00 net" in capsys.readouterr().out
    clock.now += MINUTE
    assert watcher.cycle() == []  # still true: no repeat
    prices["SOL"] = usd("100")  # worse by 50% (2,250), but inside the 60-minute cooldown
    clock.now += 10 * MINUTE
    assert watcher.cycle() == []
    clock.now += 60 * MINUTE  # cooldown over and worse by more than 25%: speaks again
    (again,) = watcher.cycle()
    assert again.value == "2250"
    prices["SOL"] = usd("240")  # 1,000 x 15% = 150: below the line, re-arms
    clock.now += MINUTE
    assert watcher.cycle() == []
    prices["SOL"] = usd("150")
    clock.now += MINUTE
    assert [a.kind for a in watcher.cycle()] == ["total_savings"]  # a new crossing, at once


def test_state_survives_a_new_monitor_on_the_same_store(tmp_path):
    watcher, clock, prices = monitor(tmp_path, [])
    prices["SOL"] = usd("150")
    assert len(watcher.cycle()) == 1
    # cron: a fresh process (new Monitor, same store) a minute later stays quiet
    fresh = Monitor(watcher.engine, lambda: (dict(prices), clock.now))
    clock.now += MINUTE
    assert fresh.cycle() == []


class Collector(http.server.BaseHTTPRequestHandler):
    bodies: list[tuple[str, bytes]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's name
        length = int(self.headers["Content-Length"])
        Collector.bodies.append((self.headers.get("Content-Type", ""), self.rfile.read(length)))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return


def test_webhook_command_and_a_failing_sink(tmp_path):
    server = http.server.HTTPServer(("127.0.0.1", 0), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    Collector.bodies = []
    received = tmp_path / "stdin.json"
    log = tmp_path / "alerts.log"
    try:
        sinks = [
            {"type": "webhook", "url": "http://127.0.0.1:9/unreachable"},  # fails every time
            {"type": "webhook", "url": f"http://127.0.0.1:{server.server_port}/hook"},
            {"type": "webhook", "url": f"http://127.0.0.1:{server.server_port}/slack", "format": "slack"},
            {"type": "command", "run": f"cat > {received}"},
            {"type": "log", "path": str(log)},
        ]
        watcher, _clock, prices = monitor(tmp_path, sinks)
        prices["SOL"] = usd("150")
        (alert,) = watcher.cycle()
    finally:
        server.shutdown()
    generic, slack = Collector.bodies
    assert generic[0] == "application/json"
    assert json.loads(generic[1]) == json.loads(alert.as_json())
    assert json.loads(slack[1]) == {"text": f"harvest: {alert.message}"}
    assert json.loads(received.read_text())["key"] == "total"
    assert json.loads(log.read_text().splitlines()[0])["value"] == "1500"
    assert log.stat().st_mode & 0o777 == 0o600
    assert any("webhook failed after 3 tries" in p for p in watcher.problems)


def test_an_exchange_outage_does_not_stop_the_alerts(tmp_path, monkeypatch):
    """The exchange is down (nothing listens on the port): the sync fails after its retries,
    the monitor notes it and still alerts on the prices it has, marked stale."""
    from engine.config.load import AccountConfig
    from engine.exchanges.ccxt_adapter import ExchangeClient
    from engine.exchanges.credentials import load_credentials
    from engine.exchanges.sync import sync_accounts

    watcher, clock, prices = monitor(tmp_path, [])
    monkeypatch.setenv("KR_KEY", "k")
    monkeypatch.setenv("KR_SECRET", "c2VjcmV0")
    closed = "http://127.0.0.1:9"
    account = AccountConfig(
        name="kraken", exchange="kraken", api_key_env="KR_KEY", secret_env="KR_SECRET",
        ccxt={"enableRateLimit": False, "timeout": 2000,
              "urls": {"api": {"public": f"{closed}/0/public", "private": f"{closed}/0/private"}}},
    )  # fmt: skip
    from dataclasses import replace

    watcher.engine.config = replace(watcher.engine.config, accounts=[account])
    tries: list[float] = []

    def sync() -> list[str]:
        def make(a: AccountConfig) -> ExchangeClient:
            return ExchangeClient(a, load_credentials(a), sleep=tries.append)

        reports = sync_accounts(watcher.engine.config, watcher.engine.store, client_factory=make)
        return [f"{r.account}: {r.error}" for r in reports if not r.ok]

    watcher.sync = sync
    watcher.prices = lambda: (dict(prices), clock.now - 3_600_000_000)  # an hour old: stale
    prices["SOL"] = usd("150")
    (alert,) = watcher.cycle()
    assert alert.message.endswith("(prices stale: estimate)")
    assert len(tries) == 3  # four attempts, three waits, then the account stops
    (problem,) = watcher.problems
    assert problem.startswith("sync: kraken: load_markets: exchange unreachable after 4 tries")


def test_the_monitors_sync_advances_the_checklist_like_harvest_sync(tmp_path):
    """A sale synced by the monitor moves its identified step to sold (issue: only
    `harvest sync` reconciled the checklist)."""
    from tests.engine.planning.test_checklist import PRICES, saved_checklist

    planner, checklist = saved_checklist(tmp_path)
    engine = planner.engine
    checklist.advance(1, engine.clock())  # identified: X2 named for the sale

    def sync() -> list[str]:  # the exchange reports the sale
        sale = parse_csv(f"{HEADER}\n2026-11-24T18:00:00Z,kraken,XYZ,sell,1,300,0,S1\n", "sync")
        engine.store.import_events(keys_of(sale), "ccxt:kraken", frozenset({"USD"}))
        return []

    watcher = Monitor(engine, lambda: (dict(PRICES), engine.clock()), sync)
    watcher.cycle()
    step = checklist.step(1)
    assert (step.state, step.sale_ref) == ("sold", "S1")


def test_the_monitor_keeps_running_while_another_process_holds_the_store(tmp_path, monkeypatch):
    import sqlite3
    import threading

    monkeypatch.setattr("engine.store.connection.BUSY_TIMEOUT_MS", 50)
    monkeypatch.setattr("engine.store.connection.BUSY_TRIES", 2)
    watcher, _clock, prices = monitor(tmp_path, [{"type": "stdout"}])
    watcher.engine.store.conn.execute("PRAGMA busy_timeout = 50")
    prices["SOL"] = usd("150")  # an alert is due: recording it needs the write lock
    stop = threading.Event()
    cycles = []
    source = watcher.prices

    def prices_then_stop():
        cycles.append(1)
        if len(cycles) == 2:
            stop.set()
        return source()

    watcher.prices = prices_then_stop
    holder = sqlite3.connect(tmp_path / "s.sqlite3", isolation_level=None, check_same_thread=False)
    holder.execute("BEGIN IMMEDIATE")
    first = threading.Timer(0.5, lambda: (holder.execute("ROLLBACK"), holder.close()))
    first.start()
    watcher.run(stop, 1.0)  # the first cycle meets the lock, the second gets through
    first.join()
    assert any("the store is busy" in p for p in watcher.problems)
    assert len(cycles) == 2


def test_an_alert_a_sink_could_not_take_is_delivered_by_a_later_cycle_and_only_there(tmp_path):
    """A failing webhook does not lose the alert: the log gets it at once, the webhook when it is
    back — and nothing is sent twice (issue: alerts were marked sent before delivery)."""
    server = http.server.HTTPServer(("127.0.0.1", 0), Collector)
    port = server.server_port
    server.server_close()  # down for now: nothing listens on the port
    log = tmp_path / "alerts.log"
    sinks = [{"type": "webhook", "url": f"http://127.0.0.1:{port}/hook"}, {"type": "log", "path": str(log)}]
    watcher, clock, prices = monitor(tmp_path, sinks)
    prices["SOL"] = usd("150")
    (alert,) = watcher.cycle()
    assert (watcher.attempted, watcher.delivered) == (2, 1)
    assert any("will retry next cycle" in p for p in watcher.problems)
    Collector.bodies = []
    server = http.server.HTTPServer(("127.0.0.1", port), Collector)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        clock.now += MINUTE
        assert watcher.cycle() == []  # nothing new holds...
        assert (watcher.attempted, watcher.delivered) == (1, 1)  # ...but the webhook gets its alert
    finally:
        server.shutdown()
    assert [json.loads(body)["key"] for _type, body in Collector.bodies] == [alert.key]
    assert len(log.read_text().splitlines()) == 1
    clock.now += MINUTE
    watcher.cycle()
    assert watcher.attempted == 0


def test_an_alert_recorded_but_not_delivered_before_a_kill_is_delivered_by_the_next_monitor(tmp_path):
    from engine.monitor.alerts import conditions, decide

    log = tmp_path / "alerts.log"
    watcher, _clock, prices = monitor(tmp_path, [{"type": "log", "path": str(log)}])
    prices["SOL"] = usd("150")
    engine = watcher.engine
    tick = watcher.planner.tick(dict(prices))
    holding = conditions(tick.candidates, engine.config.alerts, engine.today(), engine.tax_year(),
                         engine.store, engine.clock(), False)  # fmt: skip
    (alert,) = decide(engine.store, holding, engine.config.alerts, engine.clock())  # recorded; then kill -9
    assert not log.exists()
    after = Monitor(engine, watcher.prices)
    assert after.cycle() == []  # the crossing is not raised twice...
    assert [json.loads(line)["key"] for line in log.read_text().splitlines()] == [
        alert.key
    ]  # ...but delivered


def test_a_sink_that_fails_is_tried_once_a_cycle_not_once_per_owed_alert(tmp_path):
    from engine.monitor.alerts import sink_key
    from engine.store.alert_memory import stored_alert_memory

    calls = tmp_path / "calls"
    sink = {"type": "command", "run": f"echo x >> {calls}; exit 1"}
    watcher, clock, prices = monitor(tmp_path, [sink])
    watcher.sleep = lambda seconds: None
    prices["SOL"] = usd("150")
    (alert,) = watcher.cycle()
    with stored_alert_memory(watcher.engine.store.conn) as memory:  # a second alert owed to it
        memory.queue(alert.as_json(), [sink_key(sink)], clock.now)
    before = len(calls.read_text().splitlines())
    clock.now += MINUTE
    watcher.cycle()
    assert watcher.attempted == 1  # the second owed alert waits for the next cycle
    assert len(calls.read_text().splitlines()) - before == 3  # one delivery's retries


def test_a_long_running_monitor_keeps_only_its_latest_problems(tmp_path):
    from engine.monitor.monitor import MAX_KEPT_PROBLEMS

    watcher, _clock, _prices = monitor(tmp_path, [])
    for n in range(MAX_KEPT_PROBLEMS + 50):
        watcher.note(f"problem {n}")
    assert len(watcher.problems) == MAX_KEPT_PROBLEMS
    assert watcher.problems[-1] == f"problem {MAX_KEPT_PROBLEMS + 49}"
