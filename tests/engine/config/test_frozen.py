"""engine.config.frozen: the config's classes compare, hash and print as the frozen dataclasses
they were (each held to a plain `@dataclass(frozen=True)` of the same fields)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, fields, make_dataclass
from typing import Any

import pytest

from engine.config import model, schema
from engine.config.frozen import SectionBase
from engine.config.load import parse_config
from tests.support import ROOT

CLASSES = [
    c
    for module in (model, schema)
    for c in vars(module).values()
    if isinstance(c, type) and dataclasses.is_dataclass(c) and c.__module__ == module.__name__
]


def plain_twin(cls: type[Any]) -> type[Any]:
    """A frozen dataclass with the generated methods, of the same fields and name."""
    twin = make_dataclass(
        cls.__name__,
        [
            (f.name, f.type, dataclasses.field(compare=f.compare, hash=f.hash, repr=f.repr))
            for f in fields(cls)
        ],
        frozen=True,
    )
    twin.__qualname__ = cls.__qualname__
    return twin


def instances() -> list[Any]:
    """Every section of the example config (and its schema), nested ones included."""
    config = parse_config((ROOT / "config.example.yaml").read_text())
    found: list[Any] = []

    def walk(value: Any) -> None:
        if isinstance(value, SectionBase):
            found.append(value)
            for f in fields(value):  # type: ignore[arg-type]
                walk(getattr(value, f.name))
        elif isinstance(value, list | tuple):
            for item in value:
                walk(item)
        elif isinstance(value, dict):
            for item in value.values():
                walk(item)

    walk(config)
    walk(parse_config("accounts:\n  - name: kraken\n    exchange: kraken\n    symbols: [BTC/USD]\n"))
    walk(model.SCHEMA)
    found += [f.metadata[schema.CONFIG] for f in fields(model.TaxConfig) if schema.CONFIG in f.metadata]
    return found


def as_twin(value: Any) -> Any:
    twin = plain_twin(type(value))
    return twin(**{f.name: getattr(value, f.name) for f in fields(value)})


def test_every_config_class_takes_its_methods_from_the_base():
    assert len(CLASSES) == 14
    for cls in CLASSES:
        params = cls.__dataclass_params__  # type: ignore[attr-defined]
        assert issubclass(cls, SectionBase)
        assert params.frozen
        assert not params.eq
        assert not params.repr
        assert cls.__eq__ is SectionBase.__eq__
        assert cls.__hash__ is SectionBase.__hash__
        assert cls.__repr__ is SectionBase.__repr__


def test_they_print_compare_and_hash_as_plain_frozen_dataclasses():
    values = instances()
    assert {type(v) for v in values} == set(CLASSES)
    for value in values:
        twin = as_twin(value)
        assert repr(value) == repr(twin)
        assert value == dataclasses.replace(value)
        assert (value == dataclasses.replace(value)) == (twin == dataclasses.replace(twin))
        assert value != twin  # another class, as between two dataclasses
        assert value.__eq__(object()) is NotImplemented
        try:
            expected: int | type[TypeError] = hash(twin)
        except TypeError:
            expected = TypeError
        if expected is TypeError:
            with pytest.raises(TypeError):
                hash(value)
        else:
            assert hash(value) == expected


def test_a_changed_field_makes_them_unequal():
    config = parse_config("tax:\n  timezone: UTC\n")
    other = dataclasses.replace(config, lots=dataclasses.replace(config.lots, method="hifo"))
    assert config != other
    assert config.lots != other.lots
    assert config.tax == other.tax
    assert hash(config.lots) != hash(other.lots)


def test_a_field_left_out_of_comparison_is_left_out():
    @dataclass(frozen=True, eq=False, repr=False)
    class Probe(SectionBase):
        shown: int
        hidden: int = dataclasses.field(default=0, compare=False, repr=False)

    assert Probe(1, 2) == Probe(1, 3)
    assert hash(Probe(1, 2)) == hash(Probe(1, 3)) == hash((1,))
    assert repr(Probe(1, 2)) == "test_a_field_left_out_of_comparison_is_left_out.<locals>.Probe(shown=1)"
    assert Probe(1, 2) != Probe(2, 2)


def test_a_value_that_holds_itself_prints_once():
    @dataclass(frozen=True, eq=False, repr=False)
    class Holder(SectionBase):
        items: list[Any]

    holder = Holder([])
    holder.items.append(holder)
    assert repr(holder) == f"{Holder.__qualname__}(items=[...])"
