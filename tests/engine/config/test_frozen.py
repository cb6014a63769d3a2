"""engine.config.frozen: the config's classes (lean dataclasses, engine.core.lean_dataclass) are
made, compare, hash and print as the frozen dataclasses they were (each held to a plain
`@dataclass(frozen=True)` of the same fields)."""

from __future__ import annotations

import dataclasses
from dataclasses import fields, make_dataclass
from typing import Any

import pytest

from engine.config import model, schema
from engine.config.frozen import SectionBase
from engine.config.load import parse_config
from engine.core import lean_dataclass as lean
from engine.core.lean_dataclass import lean_dataclass
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


def test_every_config_class_is_a_lean_frozen_dataclass():
    """No method compiled for it at start-up: each comes from engine.core.lean_dataclass."""
    assert len(CLASSES) == 14
    for cls in CLASSES:
        assert issubclass(cls, SectionBase)
        assert cls.__init__ is lean._init
        assert cls.__eq__ is lean._eq
        assert cls.__hash__ is lean._hash
        assert cls.__repr__ is lean._repr
        assert cls.__setattr__ is lean._frozen_setattr
        assert cls.__delattr__ is lean._frozen_delattr


def test_they_are_made_and_refuse_changes_as_plain_frozen_dataclasses():
    for value in instances():
        twin = as_twin(value)
        made = dataclasses.replace(value)
        assert [getattr(made, f.name) for f in fields(made)] == [getattr(twin, f.name) for f in fields(twin)]
        name = fields(value)[0].name
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(value, name, None)
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(value, name)
    # defaults, fresh lists and nested sections for keys not given; __post_init__'s checks run
    one, two = model.Config(), model.Config()
    assert one == two
    assert one.tax.collectibles is not two.tax.collectibles
    assert one.alerts.sinks == [{"type": "stdout"}]
    assert one.tax is not two.tax
    with pytest.raises(model.ConfigValueError, match="set one of them"):
        model.TaxConfig(ordinary_taxable_income=1, ordinary_income=1)


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
    @lean_dataclass(frozen=True)
    class Probe(SectionBase):
        shown: int
        hidden: int = dataclasses.field(default=0, compare=False, repr=False)

    assert Probe(1, 2) == Probe(1, 3)
    assert hash(Probe(1, 2)) == hash(Probe(1, 3)) == hash((1,))
    assert repr(Probe(1, 2)) == "test_a_field_left_out_of_comparison_is_left_out.<locals>.Probe(shown=1)"
    assert Probe(1, 2) != Probe(2, 2)


def test_a_value_that_holds_itself_prints_once():
    @lean_dataclass(frozen=True)
    class Holder(SectionBase):
        items: list[Any]

    holder = Holder([])
    holder.items.append(holder)
    assert repr(holder) == f"{Holder.__qualname__}(items=[...])"
