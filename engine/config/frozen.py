"""The config's classes' equality, hash and repr, written once.

Every `harvest` process builds the config's classes (engine.config.model, engine.config.schema)
at start-up, and a frozen dataclass compiles six methods from generated source when its class is
made (Python 3.11; about 0.1-0.3 ms each). Three of them — `__eq__`, `__hash__`, `__repr__` — do
the same thing for every class, over its fields: they are defined here once instead, and the
config's classes derive from SectionBase and are declared `@dataclass(frozen=True, eq=False,
repr=False)`, so the dataclass machinery keeps these. They do what the generated ones do
(tests/engine/config/test_frozen.py holds every config class to a plain frozen dataclass of the
same fields): equal when of the same class with equal fields, in order; the hash of the compared
fields (unhashable where a field is, as before); the class's name and each field as `name=value`,
`...` for a value that holds itself."""

from __future__ import annotations

import reprlib
from dataclasses import Field, fields
from typing import Any


class SectionBase:
    """The shared methods (the class deriving from it is a frozen dataclass with eq and repr off)."""

    __slots__ = ()

    def _fields(self) -> tuple[Field[Any], ...]:
        return fields(self)  # type: ignore[arg-type]

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        compared = [f.name for f in self._fields() if f.compare]
        return tuple(getattr(self, n) for n in compared) == tuple(getattr(other, n) for n in compared)

    def __hash__(self) -> int:
        hashed = (f.name for f in self._fields() if (f.compare if f.hash is None else f.hash))
        return hash(tuple(getattr(self, n) for n in hashed))

    @reprlib.recursive_repr()
    def __repr__(self) -> str:
        shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in self._fields() if f.repr)
        return f"{self.__class__.__qualname__}({shown})"
