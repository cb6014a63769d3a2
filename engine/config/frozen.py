"""The config's classes' common base.

Every `harvest` process builds the config's classes (engine.config.model, engine.config.schema)
at start-up. They are declared `@lean_dataclass(frozen=True)` (engine.core.lean_dataclass): frozen
dataclasses whose `__init__`, `__eq__`, `__hash__`, `__repr__`, `__setattr__` and `__delattr__`
are written once there instead of compiled from generated source for each class at every start
(Python 3.11; about 0.2 ms a method, 42 of them here). They do what the generated ones do
(tests/engine/config/test_frozen.py holds every config class to a plain frozen dataclass of the
same fields). SectionBase marks them: a value that is a section of the config."""

from __future__ import annotations


class SectionBase:
    """A section of the config (or of its schema): a lean frozen dataclass."""

    __slots__ = ()
