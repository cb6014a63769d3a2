"""The app on the transition story (tests/engine/ledger/transition_story.py): BTC held on
2025-01-01 by coinbase 1, kraken 0.5 and ledger 1, unused basis C1 0.5, K1 1, C2 1; sales from
2025 in kraken (03-01) and coinbase (06-01); today 2026-11-24."""

from __future__ import annotations

from pathlib import Path

from tests.engine.ledger.transition_story import story_engine
from tui.app import HarvestApp
from tui.feed import StoredFeed
from tui.session import Session


def transition_app(directory: Path) -> HarvestApp:
    session = Session(story_engine(directory), config_path=directory / "config.yaml", export_dir=directory)
    return HarvestApp(session, StoredFeed(session.stored_prices, interval=3600))
