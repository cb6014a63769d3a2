"""Editing config keys in memory: what the app's tax profile saves. Each value goes through its
key's own parser (the one the config file goes through), and only the edited keys change — the
rest is the config the app runs with, not whatever a file holds (the demo has no file at all)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from engine.config.model import Config, ConfigValueError, TaxConfig
from engine.config.schema import declared_fields

__all__ = ["ConfigValueError", "with_tax_changes"]


def with_tax_changes(config: Config, changes: Mapping[str, Any]) -> Config:
    """`config` with `tax.<key>` set for each change (dotted YAML keys under `tax`, e.g.
    `carryforward.short_term`); raises ConfigValueError naming the first refused key."""
    declared = {".".join(d.path or (f.name,)): (f.name, d.parse) for f, d in declared_fields(TaxConfig)}
    updates: dict[str, Any] = {}
    for key, value in changes.items():
        if key not in declared or declared[key][1] is None:
            raise ConfigValueError(f"tax.{key}", "not a tax profile key")
        attribute, parse = declared[key]
        assert parse is not None
        raw = f"{value:f}" if isinstance(value, Decimal) else value  # the digits, as a file holds them
        try:
            updates[attribute] = parse(raw)
        except ValueError as exc:
            raise ConfigValueError(f"tax.{key}", str(exc)) from None
    return replace(config, tax=replace(config.tax, **updates))
