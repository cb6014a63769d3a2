"""What the commands share: the engine and planner they open from the global options, the
prices they read, the warnings they print. Engine modules are imported inside the functions
so `harvest --help` and the import/report paths stay fast."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeAlias

from engine.core.errors import InputError
from engine.core.units import Amount, EpochMicros

if TYPE_CHECKING:
    from engine.api import Engine
    from engine.ledger.records import Excluded
    from engine.planning.planner import Planner

Handler: TypeAlias = Callable[[argparse.Namespace, TextIO], int]  # a command: arguments, stdout -> exit code
# a string: argparse's class is not subscriptable at run time
Subparsers: TypeAlias = "argparse._SubParsersAction[argparse.ArgumentParser]"

FORMATS = ("table", "csv", "json")
LOT_METHODS = ("fifo", "lifo", "hifo", "specific")
FIRST_YEAR, LAST_YEAR = 2009, 2100  # the years a record may carry (engine.ledger.events)


def tax_year(text: str) -> int:
    """`--year`: a tax year harvest can hold, else argparse's one clear error."""
    if not text.strip().isdigit() or not FIRST_YEAR <= int(text) <= LAST_YEAR:
        raise argparse.ArgumentTypeError(f"expected a year from {FIRST_YEAR} to {LAST_YEAR}, got {text!r}")
    return int(text)


def clock_for(args: argparse.Namespace) -> Callable[[], EpochMicros]:
    """The system clock, or one stopped at `--as-of` in the tax time zone."""
    from engine.api import system_clock

    if not args.as_of:
        return system_clock
    from engine.config.load import load_config
    from engine.core.dates import fixed_clock

    try:
        return fixed_clock(args.as_of, load_config(args.config).tax.timezone)
    except ValueError as exc:
        raise InputError(f"--as-of: {exc}") from None


def open_engine(args: argparse.Namespace) -> Engine:
    """The engine on the user's store and config (`--config`), at `--as-of`."""
    from engine.api import Engine
    from engine.config.load import load_config
    from engine.store.store import open_store

    config = load_config(args.config)
    return Engine(config, open_store(), clock_for(args))


def open_planner(args: argparse.Namespace) -> Planner:
    from engine.planning.planner import Planner  # polars: only for the planning commands

    return Planner(open_engine(args))


def prices_file(engine: Engine, path: Path | None) -> Path | None:
    """The prices file in force: `--prices`, else `prices.file` in the config unless exchange
    accounts are configured (their synced and live prices are fresher)."""
    if path is not None:
        return path
    configured = None if engine.config.accounts else engine.config.prices.file
    return Path(configured).expanduser() if configured else None


def store_file_prices(engine: Engine, path: Path) -> dict[str, Amount]:
    """Read a prices file and store what it says, as a sync stores prices: the app, the monitor
    and later commands then have prices too."""
    from engine.planning.prices import read_prices_file

    prices = read_prices_file(path)
    engine.store.save_prices(prices, engine.clock(), f"file:{path.name}")
    return prices


def prices_for(planner: Planner, path: Path | None) -> tuple[dict[str, Amount], bool]:
    """Prices from a file (`--prices`, else `prices.file`; stored), else the store's last
    prices; and whether they are stale."""
    from engine.planning.prices import prices_stale

    engine = planner.engine
    chosen = prices_file(engine, path)
    if chosen is not None:
        return store_file_prices(engine, chosen), False
    prices, oldest = engine.store.last_prices()
    if not prices:
        raise InputError(
            "no prices: pass --prices FILE (CSV asset,price), set prices.file in the config, or run `harvest sync`"
        )
    return prices, prices_stale(oldest, engine.clock(), engine.config.prices.stale_after_seconds)


def excluded_lines(excluded: Sequence[Excluded]) -> list[str]:
    return [f"left out: {e.sale_id} {e.account} {e.asset}: {e.problem}" for e in excluded]


def warn(lines: Sequence[str], fmt: str, limit: int = 20) -> None:
    """Warnings on stderr, at most `limit` of them; JSON output carries them itself."""
    if fmt == "json" or not lines:
        return
    for line in lines[:limit]:
        print(f"warning: {line}", file=sys.stderr)
    if len(lines) > limit:
        print(f"warning: … and {len(lines) - limit} more (see --format json)", file=sys.stderr)
