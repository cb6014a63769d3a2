"""The app's alerts: the monitor's conditions and rule (engine.monitor.alerts), its own memory."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path

from engine.config.load import AlertsConfig
from tests.tui.pilot import cells, settled
from tui.testing import demo_app


async def test_an_alert_fires_once_per_crossing_and_not_again_as_candidates_swap(tmp_path: Path):
    """The monitor's rule (engine.monitor.alerts), kept in the app's memory. The demo's net
    savings are $3,287.44: the line sits just above, a 10% PEPE dip crosses it."""
    line = AlertsConfig(min_net_savings=Decimal(3288), min_asset_net_savings=Decimal(10**9), long_term_days=0,
                        deadline_days=[], cooldown_minutes=60)  # fmt: skip
    app = demo_app(tmp_path, alerts=line)
    toasts: list[tuple[str, str]] = []
    notify = app.notify

    def recording(message: str, **options) -> None:  # noqa: ANN003
        toasts.append((str(options.get("title")), message))
        notify(message, **options)

    app.notify = recording  # type: ignore[method-assign]

    async def at(pilot, changes: dict[str, float]) -> list[tuple[str, str]]:  # noqa: ANN001
        prices = {asset: int(base[asset] * factor) for asset, factor in changes.items()}
        app.session.set_prices({**base, **prices}, app.session.engine.clock())
        app.screen.recompute()
        await settled(pilot)
        raised = [toast for toast in toasts if toast[0] == "Harvest alert"]
        toasts.clear()
        return raised

    async with app.run_test(size=(120, 40)) as pilot:
        await settled(pilot)
        base = dict(app.session.prices)
        assert await at(pilot, {}) == []  # below the line
        ((_, message),) = await at(pilot, {"PEPE": 0.9})  # crosses: once
        assert message.startswith("harvesting now saves $3289.60 net across")
        assert cells(app, "candidates")[0][2] == "AVAX"
        assert await at(pilot, {"PEPE": 0.9, "BTC": 0.9}) == []  # BTC and AVAX swap: still the same crossing
        assert cells(app, "candidates")[0][2] == "BTC"
        assert await at(pilot, {"PEPE": 0.9}) == []
        assert await at(pilot, {}) == []  # back below: re-armed
        assert len(await at(pilot, {"PEPE": 0.9})) == 1  # a new crossing speaks at once
