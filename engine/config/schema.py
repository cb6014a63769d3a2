"""Declarative schema for the config file: each key's type, default and allowed values.

Validation walks the YAML node tree next to this schema so every error names the key path and
the line, and unknown keys get the nearest valid key as a suggestion."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

Parser = Callable[[Any], Any]


@dataclass(frozen=True)
class Key:
    """One leaf key: a parser that returns the value or raises ValueError with the reason."""

    parse: Parser
    default: Any = None


@dataclass(frozen=True)
class Section:
    keys: dict[str, Key | Section | SectionList] = field(default_factory=dict)
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class SectionList:
    """A list of mappings that share one schema (e.g. `accounts`)."""

    item: Section


def decimal_value(minimum: Decimal | None = None, maximum: Decimal | None = None) -> Parser:
    def parse(raw: Any) -> Decimal:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise ValueError("expected a number")
        try:
            # str() keeps what the user wrote (0.1 stays 0.1, not its binary neighbour)
            value = Decimal(str(raw).replace("_", "").replace(",", ""))
        except InvalidOperation:
            raise ValueError(f"expected a number, got {raw!r}") from None
        if not value.is_finite():
            raise ValueError("expected a finite number")
        if minimum is not None and value < minimum:
            raise ValueError(f"must be at least {minimum}")
        if maximum is not None and value > maximum:
            raise ValueError(f"must be at most {maximum}")
        return value

    return parse


def optional(inner: Parser) -> Parser:
    def parse(raw: Any) -> Any:
        return None if raw is None else inner(raw)

    return parse


def integer(minimum: int | None = None, maximum: int | None = None) -> Parser:
    def parse(raw: Any) -> int:
        if isinstance(raw, bool) or not isinstance(raw, int):
            raise ValueError(f"expected a whole number, got {raw!r}")
        if minimum is not None and raw < minimum:
            raise ValueError(f"must be at least {minimum}")
        if maximum is not None and raw > maximum:
            raise ValueError(f"must be at most {maximum}")
        return raw

    return parse


def boolean(raw: Any) -> bool:
    if not isinstance(raw, bool):
        raise ValueError(f"expected true or false, got {raw!r}")
    return raw


def text(raw: Any) -> str:
    if not isinstance(raw, str) or not raw.strip():
        raise ValueError(f"expected a non-empty string, got {raw!r}")
    return raw.strip()


def choice(*options: str) -> Parser:
    def parse(raw: Any) -> str:
        if raw not in options:
            raise ValueError(f"expected one of {', '.join(options)}; got {raw!r}")
        return str(raw)

    return parse


def iso_date(raw: Any) -> str:
    from datetime import date

    if isinstance(raw, date):
        return raw.isoformat()
    if isinstance(raw, str):
        try:
            return date.fromisoformat(raw.strip()).isoformat()
        except ValueError:
            pass
    raise ValueError(f"expected a date YYYY-MM-DD, got {raw!r}")


def timezone_name(raw: Any) -> str:
    from engine.core.dates import load_zone

    name = text(raw)
    load_zone(name)  # raises ValueError naming the zone
    return name


def any_mapping(raw: Any) -> dict[str, Any]:
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise ValueError("expected a mapping")
    return raw


def string_list(raw: Any) -> list[str]:
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(v, str) and v.strip() for v in raw):
        raise ValueError("expected a list of names")
    return [v.strip().upper() for v in raw]


def account_name(raw: Any) -> str:
    name = text(raw)
    if not all(c.isalnum() or c in "-_." for c in name):
        raise ValueError(f"use letters, digits, '-', '_' or '.' in account names, got {raw!r}")
    return name


def env_name(raw: Any) -> str:
    name = text(raw)
    if not all(c.isalnum() or c == "_" for c in name) or name[0].isdigit():
        raise ValueError(f"expected an environment variable name, got {raw!r}")
    return name


def string_map(raw: Any) -> dict[str, str]:
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in raw.items()
    ):
        raise ValueError("expected a mapping of names to strings")
    return {k: v.strip() for k, v in raw.items()}


def day_list(raw: Any) -> list[int]:
    if not isinstance(raw, list) or not all(
        isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 366 for v in raw
    ):
        raise ValueError("expected a list of whole numbers of days, e.g. [30, 14, 7, 3, 1]")
    return sorted(set(raw), reverse=True)


SINK_KEYS = {
    "log": {"path"},
    "stdout": set(),
    "bell": set(),
    "desktop": set(),
    "webhook": {"url", "format"},
    "command": {"run"},
}


def sink_list(raw: Any) -> list[dict[str, str]]:
    if not isinstance(raw, list):
        raise ValueError("expected a list of sinks like {type: stdout}")
    sinks = []
    for index, item in enumerate(raw):
        if not isinstance(item, dict) or item.get("type") not in SINK_KEYS:
            raise ValueError(f"[{index}]: expected a mapping with type one of {', '.join(SINK_KEYS)}")
        allowed = SINK_KEYS[item["type"]] | {"type"}
        unknown = sorted(set(item) - allowed)
        if unknown:
            raise ValueError(f"[{index}]: unknown key {unknown[0]!r} for a {item['type']} sink")
        needed = {"log": "path", "webhook": "url", "command": "run"}.get(item["type"])
        if needed and not isinstance(item.get(needed), str):
            raise ValueError(f"[{index}]: a {item['type']} sink needs {needed}")
        if item["type"] == "webhook" and item.get("format", "generic") not in ("generic", "ntfy", "slack"):
            raise ValueError(f"[{index}]: format must be generic, ntfy or slack")
        sinks.append({k: str(v) for k, v in item.items()})
    return sinks


def gain_pair() -> Section:
    money = decimal_value()
    return Section({"short_term": Key(money, Decimal(0)), "long_term": Key(money, Decimal(0))})


def loss_pair() -> Section:
    money = decimal_value(minimum=Decimal(0))
    return Section({"short_term": Key(money, Decimal(0)), "long_term": Key(money, Decimal(0))})


SCHEMA = Section(
    {
        "tax": Section(
            {
                "timezone": Key(optional(timezone_name)),
                "year": Key(optional(integer(2009, 2100))),
                "filing_status": Key(choice("single", "mfj", "mfs", "hoh"), "single"),
                "ordinary_taxable_income": Key(decimal_value(Decimal(0)), Decimal(0)),
                "other_capital_gains": gain_pair(),
                "carryforward": loss_pair(),
                "magi": Key(optional(decimal_value(Decimal(0)))),
                "niit": Key(boolean, True),
                "state_rate": Key(decimal_value(Decimal(0), Decimal("0.5")), Decimal(0)),
                "params_file": Key(optional(text)),
                "assume_latest_params": Key(boolean, False),
            }
        ),
        "lots": Section(
            {
                "method": Key(choice("fifo", "lifo", "hifo", "specific"), "fifo"),
                "basis_scope": Key(choice("per_account", "universal"), "per_account"),
            }
        ),
        "harvest": Section(
            {
                "fee_rate": Key(decimal_value(Decimal(0), Decimal("0.1")), Decimal("0.001")),
                "spread": Key(decimal_value(Decimal(0), Decimal("0.1")), Decimal("0.0005")),
                "near_long_term_days": Key(integer(0, 366), 30),
                "deadline_warn_days": Key(integer(0, 366), 14),
                "rebuy_wait_hours": Key(integer(0, 24 * 365), 24),
                "min_loss": Key(decimal_value(Decimal(0)), Decimal(0)),
                "goal": Key(choice("max_savings", "offset_gains", "target"), "max_savings"),
                "target": Key(optional(decimal_value(Decimal(0)))),
                "wash_sale": Section(
                    {
                        "enabled": Key(boolean, False),
                        "window_days": Key(integer(0, 366), 30),
                        "effective_from": Key(optional(iso_date)),
                    }
                ),
            }
        ),
        "prices": Section(
            {
                "stale_after_seconds": Key(integer(1), 120),
                "poll_seconds": Key(integer(1), 15),
            }
        ),
        "alerts": Section(
            {
                "min_net_savings": Key(decimal_value(Decimal(0)), Decimal(250)),
                "min_asset_net_savings": Key(decimal_value(Decimal(0)), Decimal(100)),
                "long_term_days": Key(integer(0, 366), 7),
                "deadline_days": Key(day_list, [30, 14, 7, 3, 1]),
                "cooldown_minutes": Key(integer(0), 360),
                "rearm_fraction": Key(decimal_value(Decimal(0), Decimal(10)), Decimal("0.25")),
                "sinks": Key(sink_list, [{"type": "stdout"}]),
            }
        ),
        "accounts": SectionList(
            Section(
                {
                    "name": Key(account_name),
                    "exchange": Key(text),
                    "api_key_env": Key(optional(env_name)),
                    "secret_env": Key(optional(env_name)),
                    "password_env": Key(optional(env_name)),
                    "secrets_file": Key(optional(text)),
                    "quote_as_usd": Key(string_list, ["USD"]),
                    "symbols": Key(optional(string_list)),
                    "form_8949_box": Key(
                        choice("with_basis", "without_basis", "not_reported"), "not_reported"
                    ),
                    "ccxt": Key(any_mapping, {}),
                },
                required=("name", "exchange"),
            )
        ),
        "watch": Section({"sync_minutes": Key(integer(1), 60)}),
        "ui": Section(
            {
                "theme": Key(text, "textual-dark"),
                "keymap": Key(string_map, {}),
            }
        ),
    }
)
