"""The config schema, derived from the config's one declaration (engine.config.model).

Each section of the config is a frozen dataclass; a field that is a config key carries, in its
`dataclasses.field` metadata, its parser and (where it differs from the attribute) its dotted YAML
key. A field with no such metadata (`Config.path`) is not a key. From that declaration:
- `schema_of` derives the Section that validation walks next to the YAML node tree, so every
  error names the key path and the line, and unknown keys get the nearest valid key;
- `build` turns the validated values back into the dataclass, and a key that was not given keeps
  the field's default, so each default is written once, on its field."""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from dataclasses import MISSING, Field, field, fields
from typing import Any, TypeVar

from engine.config.frozen import SectionBase
from engine.config.parsers import Parser
from engine.core.lean_dataclass import lean_dataclass

T = TypeVar("T")

CONFIG = "harvest.config"  # the metadata entry that makes a dataclass field a config key


@lean_dataclass(frozen=True)
class Key(SectionBase):
    """One leaf key: a parser that returns the value or raises ValueError with the reason."""

    parse: Parser[Any]


@lean_dataclass(frozen=True)
class Section(SectionBase):
    """A mapping's schema: its keys (settings or nested sections) and which are required."""

    keys: dict[str, Key | Section | SectionList]
    required: tuple[str, ...] = ()


@lean_dataclass(frozen=True)
class SectionList(SectionBase):
    """A list of mappings that share one schema (e.g. `accounts`)."""

    item: Section


@lean_dataclass(frozen=True)
class Declared(SectionBase):
    """What a field declares about its key: where it sits in its section, and what it holds."""

    path: tuple[str, ...]  # the YAML key path inside the section; () means the attribute name
    parse: Parser[Any] | None = None  # a leaf value
    section: type[Any] | None = None  # a mapping declared by another dataclass
    many: bool = False  # a list of such mappings

    def spec(self) -> Key | Section | SectionList:
        if self.section is None:
            assert self.parse is not None
            return Key(self.parse)
        inner = schema_of(self.section)
        return SectionList(inner) if self.many else inner


def _meta(declared: Declared) -> dict[str, Declared]:
    return {CONFIG: declared}


def _path(key: str) -> tuple[str, ...]:
    return tuple(key.split(".")) if key else ()


def setting(parse: Parser[T], default: T, *, key: str = "") -> T:
    """A key with a default; `key` is its dotted YAML path when that is not the attribute name."""
    meta = _meta(Declared(_path(key), parse=parse))
    if isinstance(default, list | dict):
        return field(default_factory=lambda: copy.deepcopy(default), metadata=meta)
    return field(default=default, metadata=meta)


def required(parse: Parser[Any]) -> dict[str, Declared]:
    """The metadata of a key without a default: `name: str = field(metadata=required(text))`."""
    return _meta(Declared((), parse=parse))


def section(cls: type[T]) -> T:
    """A nested mapping whose keys `cls` declares; absent, it is `cls()`."""
    return field(default_factory=cls, metadata=_meta(Declared((), section=cls)))


def section_list(cls: type[T]) -> list[T]:
    """A list of mappings whose keys `cls` declares; absent, it is empty."""
    empty: list[T] = []
    return field(default_factory=empty.copy, metadata=_meta(Declared((), section=cls, many=True)))


def declared_fields(cls: type[Any]) -> Iterator[tuple[Field[Any], Declared]]:
    for f in fields(cls):
        declared = f.metadata.get(CONFIG)
        if isinstance(declared, Declared):
            yield f, declared


def key_of(cls: type[Any], attribute: str) -> str:
    """The dotted YAML key of a field, e.g. TaxConfig.other_short_term: other_capital_gains.short_term."""
    for f, declared in declared_fields(cls):
        if f.name == attribute:
            return ".".join(declared.path or (f.name,))
    raise KeyError(f"{cls.__name__}.{attribute} is not a config key")


def schema_of(cls: type[Any]) -> Section:
    keys: dict[str, Key | Section | SectionList] = {}
    needed: list[str] = []
    for f, declared in declared_fields(cls):
        *groups, name = declared.path or (f.name,)
        target = keys
        for group in groups:
            inner = target.setdefault(group, Section({}))
            if not isinstance(inner, Section):
                raise TypeError(f"{cls.__name__}.{f.name}: {group} is a key, not a group of keys")
            target = inner.keys
        if name in target:
            raise TypeError(f"{cls.__name__}.{f.name}: the key {name} is declared twice")
        target[name] = declared.spec()
        if f.default is MISSING and f.default_factory is MISSING:
            if groups:
                raise TypeError(f"{cls.__name__}.{f.name}: a key without a default cannot sit in a group")
            needed.append(name)
    return Section(keys, tuple(needed))


def build(cls: type[T], values: Mapping[str, Any]) -> T:
    """`cls` from validated values (keyed as in the YAML); a key not given keeps its default."""
    given: dict[str, Any] = {}
    for f, declared in declared_fields(cls):
        found, value = _lookup(values, declared.path or (f.name,))
        if not found:
            continue
        if declared.section is not None:
            inner = declared.section
            value = [build(inner, item) for item in value] if declared.many else build(inner, value)
        given[f.name] = value
    return cls(**given)


def _lookup(values: Mapping[str, Any], path: tuple[str, ...]) -> tuple[bool, Any]:
    value: Any = values
    for name in path:
        if not isinstance(value, Mapping) or name not in value:
            return False, None
        value = value[name]
    return True, value
