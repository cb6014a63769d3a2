"""The app on issue 15's multi-source story (tests/fixtures/review_story), imported as `harvest
import` does: a Coinbase BTC send and the Kraken deposit 31 minutes later, 0.0001 less (paired by
the rules); two Coinbase ETH sends of 0.5 ten minutes apart and two Kraken deposits of 0.4995
(each could be either: ambiguous, never guessed); SOL received on Kraken from outside; BTC sent to
and received from a cold wallet not imported; an unclassified Coinbase row. A stopped clock and
the fixture's prices, so the blocked dollars are the same on every run."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path

from engine.api import Engine
from engine.config.load import Config, TaxConfig
from engine.core import fixedpoint as fp
from engine.core.dates import fixed_clock
from engine.core.units import Amount, EpochMicros
from engine.imports.formats import Options
from engine.imports.importer import read_file
from engine.store.store import Store
from tests.support import ROOT
from tui.app import HarvestApp
from tui.feed import PriceFeed
from tui.session import Session
from tui.testing import AS_OF, QUIET

STORY = ROOT / "tests" / "fixtures" / "review_story"
ZONE = "America/New_York"


class FixedPrices(PriceFeed):
    """The fixture's prices, set once: polls change nothing."""

    interval = 3600.0
    label = "prices file"

    def poll(self) -> tuple[dict[str, Amount], EpochMicros] | None:
        return None


def story_prices() -> dict[str, Amount]:
    lines = (STORY / "prices.csv").read_text().splitlines()[1:]
    return {asset: fp.from_decimal(Decimal(price)) for asset, price in (line.split(",") for line in lines)}


def story_app(directory: Path, keymap: dict[str, str] | None = None, priced: bool = True) -> HarvestApp:
    # the CLI story's tax profile (tests/cli/test_review_story.py), so the screen's figures are
    # the ones worked by hand there
    tax = TaxConfig(timezone=ZONE, filing_status="single", ordinary_taxable_income=Decimal(150000))
    config = replace(Config(), tax=tax, alerts=QUIET)
    if keymap:
        config = replace(config, ui=replace(config.ui, keymap=keymap))
    clock = fixed_clock(AS_OF, config.tax.timezone)
    engine = Engine(config, Store(directory / "story.sqlite3"), clock)
    for name in ("coinbase.csv", "ledgers.csv"):  # what `harvest import` reads and stores
        engine.store_import(read_file(STORY / name, Options(None, None, None)))
    session = Session(engine, config_path=directory / "config.yaml", export_dir=directory)
    if priced:
        session.set_prices(story_prices(), clock())
    return HarvestApp(session, FixedPrices())
