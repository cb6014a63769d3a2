"""Value parsers for config keys: each returns the value or raises ValueError with the reason.

The error text becomes the end of the one-line message that names the file, line and key path."""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

T = TypeVar("T")
Parser = Callable[[Any], T]


class ExactFloat(float):
    """A YAML float that remembers the text it was written as."""

    text: str

    def __new__(cls, text: str) -> ExactFloat:
        number = super().__new__(cls, float(text.replace("_", "")))
        number.text = text
        return number

    def __reduce__(self) -> tuple[type[ExactFloat], tuple[str]]:
        # pickled (engine.config.cache) from its text: float's own would rebuild it from the number
        return ExactFloat, (self.text,)


def decimal_value(minimum: Decimal | None = None, maximum: Decimal | None = None) -> Parser[Decimal]:
    def parse(raw: Any) -> Decimal:
        if isinstance(raw, bool) or not isinstance(raw, int | float | str):
            raise ValueError("expected a number")
        try:
            # the digits the user wrote (0.1 stays 0.1, not its binary neighbour; a float keeps
            # only ~16 significant digits, so YAML numbers arrive as ExactFloat with their text)
            value = Decimal(getattr(raw, "text", str(raw)).replace("_", "").replace(",", ""))
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


def optional(inner: Parser[T]) -> Parser[T | None]:
    def parse(raw: Any) -> T | None:
        return None if raw is None else inner(raw)

    return parse


def integer(minimum: int | None = None, maximum: int | None = None) -> Parser[int]:
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


def choice(*options: str) -> Parser[str]:
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


def exchange_ids(raw: Any) -> list[str]:
    """ccxt exchange ids, in order (lower case, as ccxt spells them: kraken, coinbase)."""
    if raw is None:
        return []
    if not isinstance(raw, list) or not all(isinstance(v, str) and v.strip() for v in raw):
        raise ValueError("expected a list of exchange ids, e.g. [kraken, coinbase]")
    ids = [v.strip().lower() for v in raw]
    for name in ids:
        if not name.replace("_", "").isalnum():
            raise ValueError(f"expected ccxt exchange ids (letters, digits, '_'), got {name!r}")
    if len(set(ids)) != len(ids):
        raise ValueError("an exchange is listed twice")
    return ids


def settings_by_exchange(raw: Any) -> dict[str, dict[str, Any]]:
    """exchange id -> a mapping (merged into that exchange's ccxt constructor config)."""
    if raw is None:
        return {}
    if not isinstance(raw, dict) or not all(
        isinstance(k, str) and isinstance(v, dict) for k, v in raw.items()
    ):
        raise ValueError("expected exchange ids, each with a mapping, e.g. {kraken: {timeout: 60000}}")
    return {k.strip().lower(): v for k, v in raw.items()}


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


def _is_http_url(text: str) -> bool:
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(text)
        _ = parts.port  # raises on a malformed port
    except ValueError:
        return False
    return parts.scheme in ("http", "https") and bool(parts.hostname)


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
        if item["type"] == "webhook" and not _is_http_url(item["url"]):
            # never echo the URL: its path often holds the webhook's token
            raise ValueError(f"[{index}]: url must be an http:// or https:// address with a host")
        sinks.append({k: str(v) for k, v in item.items()})
    return sinks
