"""`--map mapping.yaml`: a mapping file that says how to read any other CSV — which column holds
which field, how a row's side is told, its date format, zone and sign conventions.

Parsed strictly: an unknown key, a value of the wrong kind, a side harvest does not know or a
zone that does not exist is refused with the mapping file's line, all problems at once
(`mapping.yaml:4: colums: unknown key; expected one of …`). engine.imports.mapped_csv makes it
a Format, read like any other."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import yaml

from engine.core.errors import CsvImportError
from engine.ledger.events import SIDES, USD

FIELDS = ("timestamp", "asset", "quantity", "side", "type", "price", "subtotal", "total", "quote", "fee",
          "fee_asset", "trade_id", "tx_id", "address", "note")  # fmt: skip
REQUIRED = ("timestamp", "asset", "quantity")
SKIP = "skip"
SIGNS = ("trade", "transfer")  # signed_quantity: negative is a sell / a transfer out
FEE_ASSETS = ("quote", "asset")
TOP = (
    "name",
    "account",
    "columns",
    "types",
    "date_format",
    "timezone",
    "quote",
    "fee_asset",
    "signed_quantity",
)


@dataclass(frozen=True)
class Mapping:
    path: str
    name: str
    columns: dict[str, str]  # field -> column as the file spells it
    types: dict[str, str] = field(default_factory=dict)  # a type column's value (lowercase) -> side or skip
    date_format: str | None = None
    timezone: str | None = None
    account: str | None = None
    quote: str = USD
    fee_asset: str = "quote"
    signed_quantity: str | None = None


def read_mapping(path: Path) -> Mapping:
    """The mapping file, or CsvImportError with every problem by line (mapped_csv.load_mapping
    turns it into a Format)."""
    label = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise CsvImportError(label, [f"{label}: cannot read the mapping file: {exc}"]) from None
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 1 if mark is not None else 1
        raise CsvImportError(label, [f"{label}:{line}: not YAML: {getattr(exc, 'problem', exc)}"]) from None
    problems: list[str] = []
    mapping = _read(root, label, problems)
    if problems or mapping is None:
        raise CsvImportError(label, problems or [f"{label}:1: the mapping file is empty"])
    return mapping


def _read(root: yaml.Node | None, label: str, problems: list[str]) -> Mapping | None:
    if root is None:
        return None

    def bad(node: yaml.Node, where: str, why: str) -> None:
        problems.append(f"{label}:{node.start_mark.line + 1}: {where}: {why}")

    top = _pairs(root, "mapping", TOP, bad)
    values: dict[str, Any] = {}
    for key, node in top.items():
        if key == "columns":
            values[key] = {
                name: column for name, (column, _) in _strings(node, "columns", FIELDS, bad).items()
            }
        elif key == "types":
            values[key] = _types(node, bad)
        else:
            scalar = _scalar(node, key, bad)
            if scalar is not None:
                values[key] = scalar
                _check(key, scalar, node, bad)
    columns: dict[str, str] = values.get("columns", {})
    for name in REQUIRED:
        if "columns" in top and name not in columns:
            bad(top["columns"], f"columns.{name}", "missing; every mapping names it")
    if "columns" not in top:
        bad(root, "columns", "missing; say which column holds each field (timestamp, asset, quantity, …)")
    told = [way for way in ("side", "type") if way in columns] + (
        ["signed_quantity"] if "signed_quantity" in values else []
    )
    if len(told) != 1 and "columns" in top:
        bad(top["columns"], "side", "say how a row's side is told: columns.side, columns.type (with types), "
            f"or signed_quantity — one of them{f', not {told}' if told else ''}")  # fmt: skip
    if "type" in columns and "types" not in values:
        bad(top["columns"], "types", "columns.type needs a types table (value: side)")
    if problems:
        return None
    return Mapping(path=label, name=str(values.get("name") or "custom CSV"), columns=columns,
                   types=values.get("types", {}), date_format=values.get("date_format"), timezone=values.get("timezone"),
                   account=values.get("account"), quote=str(values.get("quote", USD)).upper(),
                   fee_asset=str(values.get("fee_asset", "quote")), signed_quantity=values.get("signed_quantity"))  # fmt: skip


def _pairs(node: yaml.Node, where: str, allowed: tuple[str, ...], bad: Any) -> dict[str, yaml.Node]:
    if not isinstance(node, yaml.MappingNode):
        bad(node, where, "expected key: value lines")
        return {}
    found: dict[str, yaml.Node] = {}
    for key_node, value_node in node.value:
        key = str(key_node.value)
        if key not in allowed:
            bad(key_node, key, f"unknown key; expected one of {', '.join(allowed)}")
        elif key in found:
            bad(key_node, key, "given twice")
        else:
            found[key] = value_node
    return found


def _scalar(node: yaml.Node, where: str, bad: Any) -> str | None:
    if not isinstance(node, yaml.ScalarNode) or not str(node.value).strip():
        bad(node, where, "expected a value")
        return None
    return str(node.value).strip()


def _strings(
    node: yaml.Node, where: str, allowed: tuple[str, ...], bad: Any
) -> dict[str, tuple[str, yaml.Node]]:
    out = {}
    for key, value in _pairs(node, where, allowed, bad).items():
        text = _scalar(value, f"{where}.{key}", bad)
        if text is not None:
            out[key] = (text, value)
    return out


def _types(node: yaml.Node, bad: Any) -> dict[str, str]:
    if not isinstance(node, yaml.MappingNode):
        bad(node, "types", "expected value: side lines")
        return {}
    table: dict[str, str] = {}
    for key_node, value_node in node.value:
        side = _scalar(value_node, f"types.{key_node.value}", bad)
        if side is None:
            continue
        if side.lower() not in (*SIDES, SKIP):
            bad(
                value_node,
                f"types.{key_node.value}",
                f"{side!r} is not a side; expected one of {', '.join(SIDES)}, skip",
            )
            continue
        table[str(key_node.value).strip().lower()] = side.lower()
    return table


def _check(key: str, value: str, node: yaml.Node, bad: Any) -> None:
    """A top-level value that must be one of a few, or a real zone, or a date format."""
    if key == "timezone":
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            bad(node, key, f"unknown time zone {value!r} (an IANA name such as America/New_York)")
    elif key == "signed_quantity" and value not in SIGNS:
        bad(
            node,
            key,
            f"expected trade (negative is a sell) or transfer (negative is a transfer out), not {value!r}",
        )
    elif key == "fee_asset" and value not in FEE_ASSETS:
        bad(node, key, f"expected quote or asset (the fee's asset when no column gives it), not {value!r}")
    elif key == "date_format" and "%" not in value:
        bad(node, key, f"expected a strftime format such as '%d/%m/%Y %H:%M', not {value!r}")
