"""Loading the config file: where it is, what it says, and one clear line when it is wrong."""

from __future__ import annotations

import os
from dataclasses import replace
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from engine.config.model import (
    SCHEMA,
    AccountConfig,
    AlertsConfig,
    Config,
    HarvestConfig,
    LotsConfig,
    PricesConfig,
    TaxConfig,
    UiConfig,
    WashSaleConfig,
    WatchConfig,
)
from engine.config.parsers import ExactFloat
from engine.config.schema import Section, SectionList, build
from engine.core.errors import ConfigError

if TYPE_CHECKING:  # yaml loads when there is a config file to read (a report's start-up without one skips it)
    import yaml

CONFIG_ENV = "HARVEST_CONFIG"
HOME_ENV = "HARVEST_HOME"


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
    config = _parsed(text, path)
    holding = [a.name for a in config.accounts if SECRET_KEYS & set(a.ccxt)]
    mode = path.stat().st_mode & 0o777
    if holding and mode & 0o077:
        raise ConfigError(
            f"{path}: holds credentials (accounts {', '.join(holding)}: ccxt) but is readable by others "
            f"(mode {mode:04o}); run chmod 600 {path}, or better, move the keys to environment variables"
        )
    return config


def parse_ahead(cli_path: str | None = None) -> bool:
    """Whether load_config would parse YAML now and keep what it parsed: a config file to read,
    a data directory for engine.config.cache's file, and no parse of this very text kept there.
    (What a helper process may do ahead of the command: tui.cli.import_ahead.)"""
    from engine.config.cache import holds

    path, _ = resolve_config_path(cli_path)
    try:
        text = path.read_text(encoding="utf-8")
        directory = data_dir()
    except (OSError, UnicodeDecodeError, ConfigError):
        return False
    return directory.is_dir() and not holds(directory, path, text)


def _parsed(text: str, path: Path) -> Config:
    """parse_config, or the Config it gave for this very text last time (engine.config.cache:
    a start without the YAML parser)."""
    from engine.config.cache import cached_config, remember_config

    try:
        directory = data_dir()
    except ConfigError:  # $HARVEST_HOME names a file: said when the store is opened, not here
        return parse_config(text, path)
    config = cached_config(directory, path, text)
    if config is None:
        config = parse_config(text, path)
        if not any(SECRET_KEYS & set(a.ccxt) for a in config.accounts):  # keys written in it stay in it alone
            remember_config(directory, path, text, config)
    return config


SECRET_KEYS = {"apiKey", "secret", "password", "privateKey", "uid", "token", "walletAddress"}


def parse_config(text: str, path: Path | None = None) -> Config:
    import yaml

    label = str(path) if path else "config"
    try:
        node = yaml.compose(text, Loader=yaml.SafeLoader)
        if node is None:
            return Config(path=path)
        values = _validate(node, SCHEMA, "", label)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f":{mark.line + 1}:{mark.column + 1}" if mark else ""
        raise ConfigError(f"{label}{where}: YAML syntax error: {exc.problem}") from None
    except yaml.YAMLError as exc:  # e.g. a NUL or other unprintable character
        raise ConfigError(f"{label}: not a YAML text: {str(exc).splitlines()[0]}") from None
    except RecursionError:
        raise ConfigError(f"{label}: YAML nested too deeply") from None
    return _build(values, path)


@cache
def _exact_loader() -> type[yaml.SafeLoader]:
    """SafeLoader, but floats keep their written digits (see ExactFloat)."""
    import yaml

    class ExactLoader(yaml.SafeLoader):
        def construct_yaml_float(self, node: yaml.ScalarNode) -> Any:
            number = super().construct_yaml_float(node)
            if number != number or number in (float("inf"), float("-inf")):
                return number  # .nan / .inf: refused by the parsers as not finite
            return ExactFloat(str(node.value))

    ExactLoader.add_constructor("tag:yaml.org,2002:float", ExactLoader.construct_yaml_float)
    return ExactLoader


def _construct(node: yaml.Node) -> Any:
    loader = _exact_loader()("")
    try:
        return loader.construct_object(node, deep=True)
    finally:
        loader.dispose()


def _validate(node: yaml.Node, section: Section, prefix: str, label: str) -> dict[str, Any]:
    import yaml

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
            import difflib

            near = difflib.get_close_matches(key, section.keys, n=1)
            hint = f" (did you mean {prefix}{near[0]}?)" if near else ""
            raise ConfigError(f"{line}: {path}: unknown key{hint}")
        if key in result:
            raise ConfigError(f"{line}: {path}: key given twice")
        if isinstance(spec, SectionList):
            result[key] = _validate_list(value_node, spec, path, label)
        elif isinstance(spec, Section):
            if isinstance(value_node, yaml.ScalarNode) and _construct(value_node) is None:
                result[key] = {}  # an empty section: every key keeps its default
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
    return result  # keys not given are left out: building the dataclass fills in their defaults


def _validate_list(node: yaml.Node, spec: SectionList, path: str, label: str) -> list[dict[str, Any]]:
    import yaml

    if isinstance(node, yaml.ScalarNode) and _construct(node) is None:
        return []
    if not isinstance(node, yaml.SequenceNode):
        raise ConfigError(f"{label}:{node.start_mark.line + 1}: {path}: expected a list")
    return [_validate(item, spec.item, f"{path}[{index}].", label) for index, item in enumerate(node.value)]


def _build(values: dict[str, Any], path: Path | None) -> Config:
    names = [item["name"] for item in values.get("accounts", [])]
    duplicate = next((n for n in names if names.count(n) > 1), None)
    if duplicate:
        raise ConfigError(f"accounts: the account name {duplicate!r} is used twice")
    return replace(build(Config, values), path=path)


def data_dir() -> Path:
    """Where the store lives: $HARVEST_HOME, else the user data dir."""
    home = os.environ.get(HOME_ENV)
    if home:
        path = Path(home).expanduser()
        if path.exists() and not path.is_dir():
            raise ConfigError(f"${HOME_ENV}={home} names a file, not a directory")
        return path
    from platformdirs import user_data_path

    return user_data_path("harvest")


__all__ = [
    "AccountConfig",
    "AlertsConfig",
    "Config",
    "ConfigError",
    "HarvestConfig",
    "LotsConfig",
    "PricesConfig",
    "TaxConfig",
    "UiConfig",
    "WashSaleConfig",
    "WatchConfig",
    "data_dir",
    "load_config",
    "parse_config",
]
