"""Dataclasses whose class compiles no code when it is made.

Python 3.11's `@dataclass` writes each generated method (`__init__`, `__eq__`, `__repr__`,
`__hash__`, a frozen class's `__setattr__` and `__delattr__`) as source text and compiles it
with `exec` every time the class is made: at every start of every `harvest` process, about 0.2
ms a method, never kept in the bytecode cache. `lean_dataclass` makes the same dataclass
(`dataclasses.fields`, `replace`, `asdict` and the type checker see a dataclass) with these
methods taken from this module instead, written once over the fields:

- `__init__(*args, **kwargs)`: the fields in order, positional or by keyword, a default or a
  fresh `default_factory` value for each one not given, then `__post_init__` when the class has
  one; the errors of a generated `__init__` (a missing or unexpected argument, too many);
- equal when of the same class with equal compared fields, in order (`NotImplemented` for
  another class); a frozen class hashes its compared fields (or the fields marked `hash=True`),
  a mutable one is unhashable, as `@dataclass` makes them;
- the class's qualified name and each shown field as `name=value` (`...` for a value that holds
  itself);
- frozen: assigning or deleting an attribute raises `dataclasses.FrozenInstanceError`.

The shared `__init__` is a loop over the fields, a few microseconds slower than generated code:
for classes made a few times per command (settings, summaries, a file's report). A class made
once per row writes its own `__init__` (as the generated one: each field set, past a frozen
class's `__setattr__` with `object.__setattr__`): a method the class writes itself is kept
(`__init__`, `__post_init__` and others; a frozen class may not write `__setattr__` or
`__delattr__`). `slots=True` makes the slots as `@dataclass` does (a frozen one pickles and copies
through `__getstate__`/`__setstate__` here). Fields with `init=False` are refused. tests/engine/core/test_lean_dataclass.py holds each behaviour to a
plain `@dataclass` of the same fields."""

from __future__ import annotations

import reprlib
from collections.abc import Callable
from dataclasses import MISSING, Field, FrozenInstanceError, dataclass, field, fields
from typing import Any, TypeVar, dataclass_transform

T = TypeVar("T")

# per class: the fields' names, their defaults and factories (MISSING where none), the names
# compared, the names hashed
_Plan = tuple[tuple[str, ...], tuple[Any, ...], tuple[Any, ...], tuple[str, ...], tuple[str, ...]]
_PLANS: dict[type, _Plan] = {}


def _plan(cls: type) -> _Plan:
    found = _PLANS.get(cls)
    if found is None:
        declared = fields(cls)
        found = (
            tuple(f.name for f in declared),
            tuple(f.default for f in declared),
            tuple(f.default_factory for f in declared),
            tuple(f.name for f in declared if f.compare),
            tuple(f.name for f in declared if (f.compare if f.hash is None else f.hash)),
        )
        _PLANS[cls] = found
    return found


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    cls = self.__class__
    names, defaults, factories, _, _ = _plan(cls)
    if len(args) > len(names):
        needed = sum(d is MISSING and f is MISSING for d, f in zip(defaults, factories, strict=True))
        takes = f"from {needed + 1} to {len(names) + 1}" if needed < len(names) else f"{len(names) + 1}"
        raise TypeError(
            f"{cls.__qualname__}.__init__() takes {takes} positional arguments but {len(args) + 1} were given"
        )
    # a frozen class's fields set past its __setattr__, a mutable one's through it (as generated)
    put = object.__setattr__ if cls.__setattr__ is _frozen_setattr else setattr
    for name, value in zip(names, args, strict=False):
        if name in kwargs:
            raise TypeError(f"{cls.__qualname__}.__init__() got multiple values for argument {name!r}")
        put(self, name, value)
    missing = []
    for at in range(len(args), len(names)):
        name = names[at]
        if name in kwargs:
            put(self, name, kwargs.pop(name))
        elif defaults[at] is not MISSING:
            put(self, name, defaults[at])
        elif factories[at] is not MISSING:
            put(self, name, factories[at]())
        else:
            missing.append(name)
    if kwargs:
        raise TypeError(
            f"{cls.__qualname__}.__init__() got an unexpected keyword argument {next(iter(kwargs))!r}"
        )
    if missing:
        listed = " and ".join(repr(name) for name in missing)
        raise TypeError(
            f"{cls.__qualname__}.__init__() missing {len(missing)} required positional "
            f"argument{'s' if len(missing) > 1 else ''}: {listed}"
        )
    post = getattr(self, "__post_init__", None)
    if post is not None:
        post()


def _eq(self: Any, other: object) -> Any:  # a bool, or NotImplemented
    if other.__class__ is not self.__class__:
        return NotImplemented
    compared = _plan(self.__class__)[3]
    equal: bool = tuple(getattr(self, n) for n in compared) == tuple(getattr(other, n) for n in compared)
    return equal


def _hash(self: Any) -> int:
    return hash(tuple(getattr(self, n) for n in _plan(self.__class__)[4]))


@reprlib.recursive_repr()
def _repr(self: Any) -> str:
    shown = ", ".join(f"{f.name}={getattr(self, f.name)!r}" for f in fields(self) if f.repr)
    return f"{self.__class__.__qualname__}({shown})"


def _frozen_setattr(self: Any, name: str, value: Any) -> None:
    raise FrozenInstanceError(f"cannot assign to field {name!r}")


def _frozen_delattr(self: Any, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


def _slots_getstate(self: Any) -> list[Any]:
    return [getattr(self, name) for name in _plan(self.__class__)[0]]


def _slots_setstate(self: Any, state: list[Any]) -> None:
    for name, value in zip(_plan(self.__class__)[0], state, strict=True):
        object.__setattr__(self, name, value)  # (past the frozen __setattr__)


@dataclass_transform(field_specifiers=(field, Field))
def lean_dataclass(*, frozen: bool = False, slots: bool = False) -> Callable[[type[T]], type[T]]:
    """`@dataclass(frozen=..., slots=...)`, its methods from this module (see above)."""

    def make(cls: type[T]) -> type[T]:
        if "__slots__" in vars(cls):
            raise TypeError(f"{cls.__qualname__}: lean_dataclass makes the slots itself (slots=True)")
        made = dataclass(init=False, eq=False, repr=False, slots=slots)(cls)
        if any(not f.init for f in fields(made)):  # type: ignore[arg-type]
            raise TypeError(f"{cls.__qualname__}: lean_dataclass takes no init=False fields")
        own = vars(made)
        methods: dict[str, Any] = {
            "__init__": _init,
            "__eq__": _eq,
            "__hash__": _hash if frozen else None,
            "__repr__": _repr,
        }
        if frozen:
            for name in ("__setattr__", "__delattr__"):
                if name in own:
                    raise TypeError(f"{cls.__qualname__}: a frozen dataclass may not define {name}")
            methods["__setattr__"] = _frozen_setattr
            methods["__delattr__"] = _frozen_delattr
            if slots:  # (pickle and copy set a slots object's state through setattr otherwise)
                methods["__getstate__"] = _slots_getstate
                methods["__setstate__"] = _slots_setstate
        # a hash the class sets itself is kept (Python's None beside an __eq__ it writes is not one)
        if "__hash__" in own and not (own["__hash__"] is None and "__eq__" in own):
            methods.pop("__hash__", None)
        for name, method in methods.items():
            if name == "__hash__" or name not in own:
                setattr(made, name, method)
        return made

    return make
