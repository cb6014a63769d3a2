"""Editing the tax profile in memory (issue 12 item 7): only the edited keys change, each checked
by its key's parser; the engine rebuilds what it derived from the config."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from engine.api import Engine
from engine.config.edits import ConfigValueError, with_tax_changes
from engine.config.load import AlertsConfig, Config, LotsConfig, TaxConfig
from engine.planning.planner import Planner
from engine.store.store import Store
from tests.support import clock_at

RUNNING = Config(
    tax=TaxConfig(
        timezone="America/Chicago", assume_latest_params=True, ordinary_taxable_income=Decimal(90000)
    ),
    alerts=AlertsConfig(min_net_savings=Decimal(1)),
)


def test_only_the_edited_keys_change():
    edited = with_tax_changes(
        RUNNING,
        {
            "ordinary_taxable_income": Decimal("120000"),
            "carryforward.short_term": Decimal("2500.5"),
            "year": 2027,
        },
    )
    assert edited.tax == replace(
        RUNNING.tax,
        ordinary_taxable_income=Decimal(120000),
        carryforward_short_term=Decimal("2500.5"),
        year=2027,
    )
    assert edited.alerts == RUNNING.alerts


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"state_rate": Decimal("0.9")}, "tax.state_rate: must be at most 0.5"),
        ({"filing_status": "married"}, "tax.filing_status: expected one of single, mfj, mfs, hoh"),
        ({"year": 1999}, "tax.year: must be at least 2009"),
        ({"timezone": "Mars/Olympus"}, "tax.timezone: "),
        ({"income": Decimal(1)}, "tax.income: not a tax profile key"),
    ],
)
def test_a_refused_value_names_its_key_and_no_file(changes, message):
    with pytest.raises(ConfigValueError) as refused:
        with_tax_changes(RUNNING, changes)
    assert str(refused.value).startswith(message)
    assert refused.value.key == f"tax.{next(iter(changes))}"
    assert ".yaml" not in str(refused.value)


def test_the_engine_rebuilds_its_calendar_and_the_planner_its_parameters(tmp_path: Path):
    engine = Engine(RUNNING, Store(tmp_path / "s.sqlite3"), clock_at("2026-11-24T12:00:00"))
    planner = Planner(engine)
    assert 2031 not in planner.params.years
    engine.set_config(with_tax_changes(engine.config, {"timezone": "Asia/Tokyo", "year": 2031}))
    planner.refresh()
    assert engine.calendar.zone.key == "Asia/Tokyo"
    assert engine.tax_year() == 2031
    assert 2031 in planner.params.years


def test_a_tax_edit_keeps_the_lots_and_a_lots_edit_drops_them(tmp_path: Path):
    engine = Engine(RUNNING, Store(tmp_path / "s.sqlite3"), clock_at("2026-11-24T12:00:00"))
    lots = engine.lots()
    engine.set_config(with_tax_changes(engine.config, {"ordinary_taxable_income": Decimal(1)}))
    assert engine.lots() is lots
    engine.set_config(replace(engine.config, lots=LotsConfig(method="hifo")))
    assert engine.lots("fifo") is not lots
