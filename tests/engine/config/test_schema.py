"""The schema is derived from the declared dataclasses: keys, groups, lists and required keys."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from engine.config.model import SCHEMA, AccountConfig, TaxConfig
from engine.config.parsers import integer, text
from engine.config.schema import Key, Section, SectionList, build, key_of, required, schema_of, setting


def test_sections_groups_and_lists_come_from_the_fields():
    tax = SCHEMA.keys["tax"]
    assert isinstance(tax, Section)
    gains = tax.keys["other_capital_gains"]
    assert isinstance(gains, Section)
    assert set(gains.keys) == {"short_term", "long_term", "collectibles"}
    assert "other_short_term" not in tax.keys
    accounts = SCHEMA.keys["accounts"]
    assert isinstance(accounts, SectionList)
    assert accounts.item.required == ("name", "exchange")
    assert "path" not in SCHEMA.keys  # Config.path is not a key


def test_key_of_names_the_yaml_key_of_an_attribute():
    assert key_of(TaxConfig, "other_short_term") == "other_capital_gains.short_term"
    assert key_of(TaxConfig, "filing_status") == "filing_status"
    assert key_of(AccountConfig, "api_key_env") == "api_key_env"
    with pytest.raises(KeyError):
        key_of(TaxConfig, "nothing")


def test_build_keeps_defaults_for_keys_not_given():
    @dataclass(frozen=True)
    class Part:
        name: str = field(metadata=required(text))
        low: int = setting(integer(0), 1, key="range.low")
        high: int = setting(integer(0), 9, key="range.high")

    schema = schema_of(Part)
    assert schema.required == ("name",)
    assert isinstance(schema.keys["name"], Key)
    assert build(Part, {"name": "p", "range": {"high": 5}}) == Part(name="p", low=1, high=5)


def test_a_key_declared_twice_is_refused():
    @dataclass(frozen=True)
    class Twice:
        a: int = setting(integer(), 0, key="x")
        b: int = setting(integer(), 0, key="x")

    with pytest.raises(TypeError, match="declared twice"):
        schema_of(Twice)
