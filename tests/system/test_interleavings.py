"""Random interleavings of what touches one store — CSV imports, exchange syncs (trade ids that
repeat across markets, as Binance numbers them), checklist moves, monitor cycles with a sink that
fails at random — and the invariants after every step: no event lost or duplicated, every
identification the checklist recorded linked to its sale once the sale is in and honoured by the
lot matcher, every raised alert delivered to each sink or still owed to it."""

from __future__ import annotations

import json
import shutil
import tempfile
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule

from engine.api import Engine
from engine.config.load import AlertsConfig, Config, HarvestConfig, TaxConfig
from engine.imports.generic_csv import parse_csv
from engine.ledger.events import Event
from engine.monitor.monitor import Monitor
from engine.planning.checklist import Checklist, reconcile_checklist
from engine.planning.planner import Planner
from engine.store.store import Store, keys_of
from tests.support import HEADER, clock_at, usd

pytestmark = pytest.mark.slow
START = clock_at("2026-06-01T12:00:00")()
MINUTE = 60_000_000
SEED = f"""{HEADER}
2026-01-05T15:00:00Z,kraken,BTC,buy,1,40000,0,K1
2026-02-01T15:00:00Z,kraken,BTC,sell,0.5,100000,0,K2
2026-03-01T15:00:00Z,kraken,SOL,buy,100,250,0,K3
2026-03-02T15:00:00Z,kraken,SOL,buy,100,260,0,K4
"""


class Clock:
    def __init__(self) -> None:
        self.now = START

    def __call__(self) -> int:
        return self.now


class OneStore(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self.home = Path(tempfile.mkdtemp(prefix="harvest-interleave-"))
        self.flag = self.home / "sink-up"
        self.received = self.home / "received.jsonl"
        sinks = [
            {"type": "command", "run": f"test -e {self.flag} && {{ cat; echo; }} >> {self.received}"},
            {"type": "log", "path": str(self.home / "alerts.log")},
        ]
        config = Config(
            tax=TaxConfig(timezone="America/New_York", ordinary_taxable_income=Decimal(150_000)),
            harvest=HarvestConfig(fee_rate=Decimal(0), spread=Decimal(0)),
            alerts=AlertsConfig(min_net_savings=Decimal(500), min_asset_net_savings=Decimal(10**9),
                                long_term_days=0, deadline_days=[], cooldown_minutes=0, sinks=sinks),
        )  # fmt: skip
        self.clock = Clock()
        self.engine = Engine(config, Store(self.home / "s.sqlite3"), self.clock)
        self.engine.store.import_events(keys_of(parse_csv(SEED, "seed.csv")), "seed", frozenset({"USD"}))
        self.expected = 4
        self.prices = {"BTC": usd("90000"), "SOL": usd("250")}
        self.monitor = Monitor(self.engine, lambda: (dict(self.prices), self.clock.now))
        self.checklist = Checklist(self.engine.store.conn)
        self.csv_rows = 0
        self.market_ids: dict[str, int] = {}

    def teardown(self) -> None:
        self.engine.store.close()
        shutil.rmtree(self.home, ignore_errors=True)  # one directory per example, hundreds a run

    def tick(self) -> None:
        self.clock.now += MINUTE

    @rule(buys=st.integers(1, 3), again=st.booleans())
    def import_csv(self, buys: int, again: bool) -> None:
        rows = []
        for _ in range(buys):
            self.csv_rows += 1
            rows.append(
                f"2026-04-{1 + self.csv_rows % 27:02d}T15:00:00Z,kraken,SOL,buy,1,{200 + self.csv_rows},0,C{self.csv_rows}"
            )
        text = HEADER + "\n" + "\n".join(rows) + "\n"
        added = self.engine.store.import_events(
            keys_of(parse_csv(text, "c.csv")), "c.csv", frozenset({"USD"})
        ).added
        assert added == buys
        self.expected += buys
        if again:  # an overlapping re-import adds nothing
            assert self.engine.store.import_events(keys_of(parse_csv(text, "c.csv")), "c.csv",
                                                   frozenset({"USD"})).added == 0  # fmt: skip
        self.after_new_records()

    @rule(markets=st.lists(st.sampled_from(["BTC/USDT", "ETH/USDT", "SOL/USDT"]), min_size=1, max_size=3))
    def sync(self, markets: list[str]) -> None:
        """An exchange page: ids counted per market, so one id appears in several markets."""
        events = []
        for market in markets:
            number = self.market_ids[market] = self.market_ids.get(market, 0) + 1
            base, quote = market.split("/")
            events.append(Event(account="binance", asset=base, side="buy", timestamp=self.clock.now - 3600 * 10**6,
                                quantity=usd("0.01"), price=usd("100"), fee=usd("0"), quote=quote,
                                price_usd=usd("100"), trade_id=str(number), source="ccxt:binance"))  # fmt: skip
        store = self.engine.store
        assert store.import_events(keys_of(events), "ccxt:binance", frozenset({"USD", "USDT"})).added == len(
            events
        )
        assert store.import_events(keys_of(events), "ccxt:binance", frozenset({"USD", "USDT"})).added == 0
        self.expected += len(events)
        self.after_new_records()

    def after_new_records(self) -> None:
        self.engine.invalidate()
        reconcile_checklist(self.engine)
        self.monitor.planner.refresh()

    @rule(drop=st.sampled_from(["150", "200", "250"]))
    def price_moves(self, drop: str) -> None:
        self.prices["SOL"] = usd(drop)
        self.tick()

    @rule()
    def save_plan(self) -> None:
        planner = Planner(self.engine)
        plan = planner.plan(self.prices)
        if plan.steps and not [s for s in self.checklist.steps() if s.state != "planned"]:
            self.checklist.save(plan, 2026, self.clock.now, 24)

    @rule(number=st.integers(1, 3))
    def advance(self, number: int) -> None:
        steps = {s.number: s for s in self.checklist.steps()}
        if number in steps and steps[number].state in ("planned", "identified"):
            self.tick()
            self.checklist.advance(number, self.clock.now, seen=steps[number])

    @rule(number=st.integers(1, 3))
    def the_sale_arrives(self, number: int) -> None:
        steps = {s.number: s for s in self.checklist.steps()}
        step = steps.get(number)
        if step is None or step.identified_at is None or step.sale_ref is not None:
            return
        self.tick()
        when = self.clock.now
        from engine.core.dates import iso_utc

        text = f"{HEADER}\n{iso_utc(when)},{step.account},{step.asset},sell,{Decimal(step.quantity) / 10**18},150,0,S{step.id}\n"
        self.engine.store.import_events(keys_of(parse_csv(text, "sale.csv")), "sale.csv", frozenset({"USD"}))
        self.expected += 1
        self.after_new_records()

    @rule(up=st.booleans())
    def watch_cycle(self, up: bool) -> None:
        if up:
            self.flag.write_text("")
        else:
            self.flag.unlink(missing_ok=True)
        self.tick()
        self.monitor.cycle()

    @invariant()
    def no_event_lost_or_duplicated(self) -> None:
        assert self.engine.store.event_count() == self.expected

    @invariant()
    def identifications_are_linked_and_honoured(self) -> None:
        conn = self.engine.store.conn
        for step in self.checklist.steps():
            if step.identified_at is None:
                continue
            recorded = conn.execute(
                "SELECT lots, sale_ref FROM identifications WHERE step_id = ?", (step.id,)
            ).fetchall()
            assert len(recorded) == 1
            sale_in = conn.execute(
                "SELECT count(*) FROM events WHERE trade_id = ?", (f"S{step.id}",)
            ).fetchone()[0]
            if sale_in:
                assert recorded[0][1] == f"S{step.id}"
                used = {r.lot_id for r in self.engine.lots().realized if r.sale_id == f"S{step.id}"}
                named = {part.split(":")[0] for part in recorded[0][0].split(";")}
                assert used <= named

    @invariant()
    def every_alert_is_delivered_or_owed(self) -> None:
        conn = self.engine.store.conn
        sent = conn.execute("SELECT count(*) FROM alert_state").fetchone()[0]
        rows = conn.execute("SELECT alert, sink, delivered_at, dropped_at FROM alert_outbox").fetchall()
        assert all(dropped is None for *_, dropped in rows)  # nothing given up on within a day
        if sent:
            assert rows
        delivered_keys = [
            json.loads(a)["key"] for a, sink, at, _ in rows if at is not None and "command" in sink
        ]
        received = (
            [json.loads(line)["key"] for line in self.received.read_text().splitlines()]
            if self.received.exists()
            else []
        )
        assert sorted(received) == sorted(delivered_keys)  # delivered once each, none twice


OneStore.TestCase.settings = settings(
    max_examples=60, stateful_step_count=15, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
test_interleavings = OneStore.TestCase
