"""Loading the config file: where it is, what it says, and one clear line when it is wrong."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from engine.config.schema import SCHEMA, Key, Section, SectionList
from engine.core.errors import ConfigError

CONFIG_ENV = "HARVEST_CONFIG"
HOME_ENV = "HARVEST_HOME"


@dataclass(frozen=True)
class TaxConfig:
    timezone: str | None = None
    year: int | None = None
    filing_status: str = "single"
    ordinary_taxable_income: Decimal = Decimal(0)
    other_short_term: Decimal = Decimal(0)
    other_long_term: Decimal = Decimal(0)
    carryforward_short_term: Decimal = Decimal(0)
    carryforward_long_term: Decimal = Decimal(0)
    magi: Decimal | None = None
    niit: bool = True
    state_rate: Decimal = Decimal(0)
    params_file: str | None = None
    assume_latest_params: bool = False


@dataclass(frozen=True)
class LotsConfig:
    method: str = "fifo"
    basis_scope: str = "per_account"


@dataclass(frozen=True)
class WashSaleConfig:
    enabled: bool = False
    window_days: int = 30
    effective_from: str | None = None


@dataclass(frozen=True)
class HarvestConfig:
    fee_rate: Decimal = Decimal("0.001")
    spread: Decimal = Decimal("0.0005")
    near_long_term_days: int = 30
    deadline_warn_days: int = 14
    rebuy_wait_hours: int = 24
    min_loss: Decimal = Decimal(0)
    goal: str = "max_savings"
    target: Decimal | None = None
    wash_sale: WashSaleConfig = field(default_factory=WashSaleConfig)


@dataclass(frozen=True)
class PricesConfig:
    stale_after_seconds: int = 120
    poll_seconds: int = 15


@dataclass(frozen=True)
class AccountConfig:
    name: str
    exchange: str
    api_key_env: str | None = None
    secret_env: str | None = None
    password_env: str | None = None
    secrets_file: str | None = None
    quote_as_usd: list[str] = field(default_factory=lambda: ["USD"])
    symbols: list[str] | None = None
    form_8949_box: str = "not_reported"
    ccxt: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class WatchConfig:
    sync_minutes: int = 60


@dataclass(frozen=True)
class AlertsConfig:
    min_net_savings: Decimal = Decimal(250)
    min_asset_net_savings: Decimal = Decimal(100)
    long_term_days: int = 7
    deadline_days: list[int] = field(default_factory=lambda: [30, 14, 7, 3, 1])
    cooldown_minutes: int = 360
    rearm_fraction: Decimal = Decimal("0.25")
    sinks: list[dict[str, str]] = field(default_factory=lambda: [{"type": "stdout"}])


@dataclass(frozen=True)
class UiConfig:
    theme: str = "textual-dark"
    keymap: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Config:
    tax: TaxConfig = field(default_factory=TaxConfig)
    lots: LotsConfig = field(default_factory=LotsConfig)
    harvest: HarvestConfig = field(default_factory=HarvestConfig)
    prices: PricesConfig = field(default_factory=PricesConfig)
    alerts: AlertsConfig = field(default_factory=AlertsConfig)
    ui: UiConfig = field(default_factory=UiConfig)
    accounts: list[AccountConfig] = field(default_factory=list)
    watch: WatchConfig = field(default_factory=WatchConfig)
    path: Path | None = None
    raw: dict[str, Any] = field(default_factory=dict)


def default_config_path() -> Path:
    from platformdirs import user_config_path

    return user_config_path("harvest") / "config.yaml"


def resolve_config_path(cli_path: str | None) -> tuple[Path, bool]:
    """The config to read and whether the user named it (a named file must exist)."""
    if cli_path:
        return Path(cli_path).expanduser(), True
    env_path = os.environ.get(CONFIG_ENV)
    if env_path:
        return Path(env_path).expanduser(), True
    return default_config_path(), False


def load_config(cli_path: str | None = None) -> Config:
    path, named = resolve_config_path(cli_path)
    if not path.exists():
        if named:
            raise ConfigError(f"{path}: config file not found")
        return Config()
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot read config: {exc}") from None
    config = parse_config(text, path)
    holding = [a.name for a in config.accounts if SECRET_KEYS & set(a.ccxt)]
    mode = path.stat().st_mode & 0o777
    if holding and mode & 0o077:
        raise ConfigError(
            f"{path}: holds credentials (accounts {', '.join(holding)}: ccxt) but is readable by others "
            f"(mode {mode:04o}); run chmod 600 {path}, or better, move the keys to environment variables"
        )
    return config


SECRET_KEYS = {"apiKey", "secret", "password", "privateKey", "uid", "token", "walletAddress"}


def parse_config(text: str, path: Path | None = None) -> Config:
    label = str(path) if path else "config"
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ConfigError(f"{label}{where}: YAML syntax error: {exc.problem}") from None
    if node is None:
        return Config(path=path)
    values = _validate(node, SCHEMA, "", label)
    return _build(values, path)


def _construct(node: yaml.Node) -> Any:
    loader = yaml.SafeLoader("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _validate(node: yaml.Node, section: Section, prefix: str, label: str) -> dict[str, Any]:
    where = f"{label}:{node.start_mark.line + 1}"
    if not isinstance(node, yaml.MappingNode):
        raise ConfigError(f"{where}: {prefix or 'config'}: expected a mapping of keys")
    result: dict[str, Any] = {}
    for key_node, value_node in node.value:
        key = str(_construct(key_node))
        path = f"{prefix}{key}"
        line = f"{label}:{key_node.start_mark.line + 1}"
        spec = section.keys.get(key)
        if spec is None:
            near = difflib.get_close_matches(key, section.keys, n=1)
            hint = f" (did you mean {prefix}{near[0]}?)" if near else ""
            raise ConfigError(f"{line}: {path}: unknown key{hint}")
        if key in result:
            raise ConfigError(f"{line}: {path}: key given twice")
        if isinstance(spec, SectionList):
            result[key] = _validate_list(value_node, spec, path, label)
        elif isinstance(spec, Section):
            if isinstance(value_node, yaml.ScalarNode) and _construct(value_node) is None:
                result[key] = _defaults(spec)
                continue
            result[key] = _validate(value_node, spec, f"{path}.", label)
        else:
            try:
                result[key] = spec.parse(_construct(value_node))
            except ValueError as exc:
                raise ConfigError(f"{line}: {path}: {exc}") from None
    for key in section.required:
        if key not in result:
            raise ConfigError(f"{where}: {prefix}{key}: required")
    for key, spec in section.keys.items():
        if key not in result:
            result[key] = _defaults(spec)
    return result


def _validate_list(node: yaml.Node, spec: SectionList, path: str, label: str) -> list[dict[str, Any]]:
    if isinstance(node, yaml.ScalarNode) and _construct(node) is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise ConfigError(f"{label}:{node.start_mark.line + 1}: {path}: expected a list")
    return [_validate(item, spec.item, f"{path}[{index}].", label) for index, item in enumerate(node.value)]


def _defaults(spec: Section | SectionList | Key) -> Any:
    if isinstance(spec, Key):
        return spec.default
    if isinstance(spec, SectionList):
        return []
    return {key: _defaults(inner) for key, inner in spec.keys.items()}


def _build(values: dict[str, Any], path: Path | None) -> Config:
    tax = values["tax"]
    harvest = dict(values["harvest"])
    wash = WashSaleConfig(**harvest.pop("wash_sale"))
    return Config(
        tax=TaxConfig(
            timezone=tax["timezone"],
            year=tax["year"],
            filing_status=tax["filing_status"],
            ordinary_taxable_income=tax["ordinary_taxable_income"],
            other_short_term=tax["other_capital_gains"]["short_term"],
            other_long_term=tax["other_capital_gains"]["long_term"],
            carryforward_short_term=tax["carryforward"]["short_term"],
            carryforward_long_term=tax["carryforward"]["long_term"],
            magi=tax["magi"],
            niit=tax["niit"],
            state_rate=tax["state_rate"],
            params_file=tax["params_file"],
            assume_latest_params=tax["assume_latest_params"],
        ),
        lots=LotsConfig(**values["lots"]),
        harvest=HarvestConfig(**harvest, wash_sale=wash),
        prices=PricesConfig(**values["prices"]),
        alerts=AlertsConfig(**values["alerts"]),
        ui=UiConfig(**values["ui"]),
        accounts=_accounts(values["accounts"]),
        watch=WatchConfig(**values["watch"]),
        path=path,
        raw=values,
    )


def _accounts(items: list[dict[str, Any]]) -> list[AccountConfig]:
    names = [item["name"] for item in items]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise ConfigError(f"accounts: the account name {duplicate!r} is used twice")
    return [AccountConfig(**item) for item in items]


def data_dir() -> Path:
    """Where the store lives: $HARVEST_HOME, else the user data dir."""
    home = os.environ.get(HOME_ENV)
    if home:
        return Path(home).expanduser()
    from platformdirs import user_data_path

    return user_data_path("harvest")


__all__ = ["Config", "ConfigError", "Key", "load_config", "parse_config", "data_dir"]
