"""The config, declared once: every key with its type, parser and default.

Each section is a frozen dataclass the rest of the code reads (`config.prices.poll_seconds`); the
schema that validates the YAML file is derived from these fields (engine.config.schema), so a key
cannot exist in one and not the other, and a default is written once. `key=` names the YAML key
where it differs from the attribute (`other_capital_gains.short_term` is `other_short_term`). Their
methods come from engine.core.lean_dataclass (written once, not compiled for each class at every
start)."""

from __future__ import annotations

from dataclasses import field
from decimal import Decimal
from pathlib import Path
from typing import Any

from engine.config.frozen import SectionBase
from engine.config.parsers import (
    account_name,
    any_mapping,
    boolean,
    choice,
    day_list,
    decimal_value,
    env_name,
    exchange_ids,
    integer,
    iso_date,
    optional,
    settings_by_exchange,
    sink_list,
    string_list,
    string_map,
    text,
    timezone_name,
)
from engine.config.schema import Section, required, schema_of, section, section_list, setting
from engine.core.errors import ConfigError
from engine.core.lean_dataclass import lean_dataclass

ZERO = Decimal(0)
# USD figures up to a quadrillion: every later computation (the tax model, the fixed-point
# aggregates of scans and plans) holds them exactly; beyond that is a typo, refused by name
MONEY_LIMIT = Decimal(10**15)
MONEY = decimal_value(-MONEY_LIMIT, MONEY_LIMIT)  # any sign: a gain or a loss
AMOUNT = decimal_value(ZERO, MONEY_LIMIT)  # zero or more
DAY_SECONDS, YEAR_MINUTES = 86_400, 525_600
DAYS = integer(0, 366)


class ConfigValueError(ConfigError):
    """One key's value refused: `key` is its dotted path (`tax.state_rate`), so a form can
    point at the field."""

    def __init__(self, key: str, reason: str) -> None:
        self.key = key
        self.reason = reason
        super().__init__(f"{key}: {reason}")


def deduction_choice(raw: Any) -> Decimal | None:
    """`standard` (None: from the bundled parameters by status and year) or an itemized amount."""
    if isinstance(raw, str) and raw.strip().lower() == "standard":
        return None
    try:
        return AMOUNT(raw)
    except ValueError:
        raise ValueError(f"expected standard or an itemized amount, got {raw!r}") from None


@lean_dataclass(frozen=True)
class TaxConfig(SectionBase):
    """The tax profile in the terms of Form 1040 (`ordinary_taxable_income` is the older
    shorthand: ordinary income less the deduction)."""

    timezone: str | None = setting(optional(timezone_name), None)
    year: int | None = setting(optional(integer(2009, 2100)), None)
    filing_status: str = setting(choice("single", "mfj", "mfs", "hoh"), "single")
    ordinary_taxable_income: Decimal = setting(AMOUNT, ZERO)
    ordinary_income: Decimal = setting(MONEY, ZERO)
    taxable_interest: Decimal = setting(AMOUNT, ZERO)
    ordinary_dividends: Decimal = setting(AMOUNT, ZERO, key="dividends.ordinary")
    qualified_dividends: Decimal = setting(AMOUNT, ZERO, key="dividends.qualified")
    other_investment_income: Decimal = setting(MONEY, ZERO)
    itemized_deduction: Decimal | None = setting(deduction_choice, None, key="deduction")
    itemized_taxes: Decimal = setting(AMOUNT, ZERO)
    amt_adjustments: Decimal = setting(MONEY, ZERO)
    other_short_term: Decimal = setting(MONEY, ZERO, key="other_capital_gains.short_term")
    other_long_term: Decimal = setting(MONEY, ZERO, key="other_capital_gains.long_term")
    other_collectibles: Decimal = setting(MONEY, ZERO, key="other_capital_gains.collectibles")
    carryforward_short_term: Decimal = setting(AMOUNT, ZERO, key="carryforward.short_term")
    carryforward_long_term: Decimal = setting(AMOUNT, ZERO, key="carryforward.long_term")
    collectibles: list[str] = setting(string_list, [])
    not_collectibles: list[str] = setting(string_list, [])
    magi: Decimal | None = setting(optional(AMOUNT), None)
    niit: bool = setting(boolean, True)
    state_rate: Decimal = setting(decimal_value(ZERO, Decimal("0.5")), ZERO)
    tax_table: bool = setting(boolean, True)
    params_file: str | None = setting(optional(text), None)
    assume_latest_params: bool = setting(boolean, False)

    def __post_init__(self) -> None:
        # the keys' own parsers check each value; these check them against each other
        if self.ordinary_taxable_income and self.ordinary_income:
            raise ConfigValueError(
                "tax.ordinary_taxable_income",
                "is shorthand for ordinary_income less the deduction; set one of them, not both",
            )
        if self.qualified_dividends > self.ordinary_dividends:
            raise ConfigValueError(
                "tax.dividends.qualified",
                f"qualified dividends (Form 1040 line 3a) are part of ordinary dividends (line 3b), "
                f"so dividends.ordinary must be at least {self.qualified_dividends}",
            )


@lean_dataclass(frozen=True)
class LotsConfig(SectionBase):
    """How lots are matched: the method and the pools' scope (`lots:`)."""

    method: str = setting(choice("fifo", "lifo", "hifo", "specific"), "fifo")
    # universal_until_2025: universal pools before 2025, per account from then on, joined by the
    # allocation of unused basis (engine.ledger.transition)
    basis_scope: str = setting(choice("per_account", "universal", "universal_until_2025"), "per_account")


@lean_dataclass(frozen=True)
class WashSaleConfig(SectionBase):
    """The optional wash-sale check (`harvest.wash_sale:`)."""

    enabled: bool = setting(boolean, False)
    window_days: int = setting(DAYS, 30)
    effective_from: str | None = setting(optional(iso_date), None)


@lean_dataclass(frozen=True)
class HarvestConfig(SectionBase):
    """What the planner weighs and aims for (`harvest:`)."""

    fee_rate: Decimal = setting(decimal_value(ZERO, Decimal("0.1")), Decimal("0.001"))
    spread: Decimal = setting(decimal_value(ZERO, Decimal("0.1")), Decimal("0.0005"))
    near_long_term_days: int = setting(DAYS, 30)
    deadline_warn_days: int = setting(DAYS, 14)
    rebuy_wait_hours: int = setting(integer(0, 24 * 365), 24)
    min_loss: Decimal = setting(AMOUNT, ZERO)
    goal: str = setting(choice("max_savings", "offset_gains", "target"), "max_savings")
    target: Decimal | None = setting(optional(AMOUNT), None)
    wash_sale: WashSaleConfig = section(WashSaleConfig)


@lean_dataclass(frozen=True)
class PricesConfig(SectionBase):
    """Where prices come from and when they are stale (`prices:`)."""

    stale_after_seconds: int = setting(integer(1, 365 * DAY_SECONDS), 120)
    poll_seconds: int = setting(integer(1, DAY_SECONDS), 15)
    file: str | None = setting(optional(text), None)  # CSV asset,price (USD): prices without exchange keys
    # prices of past records without a USD value (engine.exchanges.price_fill): public candles of
    # these exchanges, in order (none by default: a lookup reaches the internet only when asked),
    # in these quotes (a USDC or USDT close taken as USD), and a CSV asset,timestamp,price
    history_sources: list[str] = setting(exchange_ids, [])
    history_quotes: list[str] = setting(string_list, ["USD", "USDC", "USDT"])
    history_file: str | None = setting(optional(text), None)
    history_ccxt: dict[str, dict[str, Any]] = setting(settings_by_exchange, {})


@lean_dataclass(frozen=True)
class AccountConfig(SectionBase):
    """One exchange account: its name, exchange and where its keys are (`accounts:`)."""

    name: str = field(metadata=required(account_name))
    exchange: str = field(metadata=required(text))
    api_key_env: str | None = setting(optional(env_name), None)
    secret_env: str | None = setting(optional(env_name), None)
    password_env: str | None = setting(optional(env_name), None)
    secrets_file: str | None = setting(optional(text), None)
    quote_as_usd: list[str] = setting(string_list, ["USD"])
    symbols: list[str] | None = setting(optional(string_list), None)
    # covered: basis reported for covered lots only (acquired here after 2025, never moved out)
    form_8949_box: str = setting(
        choice("with_basis", "without_basis", "not_reported", "covered"), "not_reported"
    )
    ccxt: dict[str, Any] = setting(any_mapping, {})


@lean_dataclass(frozen=True)
class WatchConfig(SectionBase):
    """The watcher's sync interval (`watch:`)."""

    sync_minutes: int = setting(integer(1, YEAR_MINUTES), 60)


@lean_dataclass(frozen=True)
class AlertsConfig(SectionBase):
    """When the watcher alerts, and where to (`alerts:`)."""

    min_net_savings: Decimal = setting(AMOUNT, Decimal(250))
    min_asset_net_savings: Decimal = setting(AMOUNT, Decimal(100))
    long_term_days: int = setting(DAYS, 7)
    deadline_days: list[int] = setting(day_list, [30, 14, 7, 3, 1])
    cooldown_minutes: int = setting(integer(0, YEAR_MINUTES), 360)
    rearm_fraction: Decimal = setting(decimal_value(ZERO, Decimal(10)), Decimal("0.25"))
    sinks: list[dict[str, str]] = setting(sink_list, [{"type": "stdout"}])


@lean_dataclass(frozen=True)
class UiConfig(SectionBase):
    """The app's theme and keys (`ui:`)."""

    theme: str = setting(text, "textual-dark")
    keymap: dict[str, str] = setting(string_map, {})


@lean_dataclass(frozen=True)
class Config(SectionBase):
    """The whole config file, one section per key (and the path it was read from)."""

    tax: TaxConfig = section(TaxConfig)
    lots: LotsConfig = section(LotsConfig)
    harvest: HarvestConfig = section(HarvestConfig)
    prices: PricesConfig = section(PricesConfig)
    alerts: AlertsConfig = section(AlertsConfig)
    ui: UiConfig = section(UiConfig)
    accounts: list[AccountConfig] = section_list(AccountConfig)
    watch: WatchConfig = section(WatchConfig)
    path: Path | None = None  # the file it was read from; not a key


SCHEMA: Section = schema_of(Config)
