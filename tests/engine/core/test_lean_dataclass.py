"""engine.core.lean_dataclass: a class made without compiling code behaves as the plain
`@dataclass` of the same fields — made, compared, hashed, printed, frozen, replaced, pickled."""

from __future__ import annotations

import copy
import dataclasses
import pickle
from dataclasses import dataclass, field
from typing import Any

import pytest

from engine.core import lean_dataclass as lean
from engine.core.lean_dataclass import lean_dataclass


@lean_dataclass(frozen=True)
class Frozen:
    """A frozen one."""

    a: int
    b: str = "b"
    c: list[int] = field(default_factory=list)
    hidden: int = field(default=0, compare=False, repr=False)


@dataclass(frozen=True)
class FrozenTwin:
    """The plain dataclass it stands for."""

    a: int
    b: str = "b"
    c: list[int] = field(default_factory=list)
    hidden: int = field(default=0, compare=False, repr=False)


@lean_dataclass()
class Mutable:
    """A mutable one, with a check after its fields are set."""

    a: int
    b: int = 2

    def __post_init__(self) -> None:
        if self.a < 0:
            raise ValueError("negative")


@dataclass
class MutableTwin:
    """The plain dataclass it stands for."""

    a: int
    b: int = 2

    def __post_init__(self) -> None:
        if self.a < 0:
            raise ValueError("negative")


PAIRS = [(Frozen, FrozenTwin), (Mutable, MutableTwin)]


def state(value: Any) -> list[Any]:
    return [getattr(value, f.name) for f in dataclasses.fields(value)]


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [
        ((1,), {}),
        ((1, "x"), {}),
        ((), {"a": 1, "b": "y"}),
        ((1,), {"c": [3], "hidden": 4}),
        ((1, "x", [2], 5), {}),
    ],
)
def test_made_as_the_plain_dataclass(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    made, twin = Frozen(*args, **kwargs), FrozenTwin(*args, **kwargs)
    assert state(made) == state(twin)
    assert repr(made) == repr(twin).replace("FrozenTwin", "Frozen")
    with pytest.raises(TypeError):  # a list field: unhashable, as the plain one
        hash(made)


@pytest.mark.parametrize(
    ("args", "kwargs"),
    [((), {}), ((1, 2, 3, 4, 5), {}), ((1,), {"a": 2}), ((1,), {"z": 2}), ((), {"b": 1})],
)
def test_the_same_arguments_are_refused(args: tuple[Any, ...], kwargs: dict[str, Any]) -> None:
    for cls, twin in PAIRS:
        with pytest.raises(TypeError) as plain:
            twin(*args, **kwargs)
        with pytest.raises(TypeError) as lean_error:
            cls(*args, **kwargs)
        assert str(lean_error.value) == str(plain.value).replace(twin.__qualname__, cls.__qualname__)


def test_a_default_factory_gives_each_instance_its_own_value() -> None:
    one, two = Frozen(1), Frozen(1)
    assert one.c == []
    assert one.c is not two.c


def test_equal_hash_and_repr_as_plain_dataclasses() -> None:
    assert Frozen(1, hidden=1) == Frozen(1, hidden=2)
    assert Frozen(1) != Frozen(2)
    assert Frozen(1).__eq__(FrozenTwin(1)) is NotImplemented
    hashable = Frozen(1, "x", (5,), 9)  # type: ignore[arg-type]
    assert hash(hashable) == hash(FrozenTwin(1, "x", (5,), 3))  # type: ignore[arg-type]
    assert Mutable(1) == Mutable(1)
    assert Mutable(1) != Mutable(1, 3)
    assert Mutable.__hash__ is None
    with pytest.raises(TypeError):
        hash(Mutable(1))
    assert repr(Mutable(1, 5)) == "Mutable(a=1, b=5)"


def test_frozen_refuses_changes_and_mutable_takes_them() -> None:
    value = Frozen(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.a = 2  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        del value.a  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.other = 1  # type: ignore[attr-defined]
    changed = Mutable(1)
    changed.b = 7
    assert changed == Mutable(1, 7)


def test_post_init_runs() -> None:
    with pytest.raises(ValueError, match="negative"):
        Mutable(-1)


def test_replace_fields_asdict_and_pickle() -> None:
    value = Frozen(1, "x", [2], 3)
    assert dataclasses.is_dataclass(value)
    assert [f.name for f in dataclasses.fields(value)] == ["a", "b", "c", "hidden"]
    assert dataclasses.replace(value, b="y") == Frozen(1, "y", [2])
    assert dataclasses.asdict(value) == {"a": 1, "b": "x", "c": [2], "hidden": 3}
    back = pickle.loads(pickle.dumps(value))
    assert back == value
    assert back.hidden == 3
    assert pickle.loads(pickle.dumps(Mutable(4, 5))) == Mutable(4, 5)


def test_a_value_that_holds_itself_prints_once() -> None:
    @lean_dataclass()
    class Holder:
        items: list[Any]

    holder = Holder([])
    holder.items.append(holder)
    assert repr(holder) == f"{Holder.__qualname__}(items=[...])"


def test_methods_the_class_writes_are_kept() -> None:
    @lean_dataclass(frozen=True)
    class Own:
        a: int

        def __repr__(self) -> str:
            return "own"

    assert repr(Own(1)) == "own"
    assert Own.__init__ is lean._init


def test_what_it_is_not_for_is_refused() -> None:
    with pytest.raises(TypeError, match="init=False"):

        @lean_dataclass()
        class Late:
            a: int = field(default=0, init=False)

    with pytest.raises(TypeError, match="may not define __setattr__"):

        @lean_dataclass(frozen=True)
        class Writes:
            a: int

            def __setattr__(self, name: str, value: Any) -> None: ...


@lean_dataclass(frozen=True, slots=True)
class Slotted:
    """A frozen slots one writing its own __init__ (as a class made per row does)."""

    a: int
    b: str = "b"

    def __init__(self, a: int, b: str = "b") -> None:
        object.__setattr__(self, "a", a)
        object.__setattr__(self, "b", b)


@dataclass(frozen=True, slots=True)
class SlottedTwin:
    a: int
    b: str = "b"


def test_a_frozen_slots_class_as_the_plain_one() -> None:
    value = Slotted(1, "x")
    assert Slotted.__init__ is not lean._init
    assert not hasattr(value, "__dict__")
    assert Slotted.__slots__ == SlottedTwin.__slots__  # type: ignore[attr-defined]
    assert repr(value) == repr(SlottedTwin(1, "x")).replace("SlottedTwin", "Slotted")
    assert hash(value) == hash(SlottedTwin(1, "x"))
    assert value == Slotted(1, "x")
    assert value != Slotted(1)
    with pytest.raises(dataclasses.FrozenInstanceError):
        value.a = 2  # type: ignore[misc]
    for back in (pickle.loads(pickle.dumps(value)), copy.copy(value), copy.deepcopy(value)):
        assert back == value
        assert back is not value
    assert dataclasses.replace(value, b="y") == Slotted(1, "y")
    with pytest.raises(AttributeError):
        object.__setattr__(value, "other", 1)  # no __dict__: slots only


def test_a_class_with_its_own_slots_is_refused() -> None:
    with pytest.raises(TypeError, match="slots=True"):

        @lean_dataclass()
        class Own:
            __slots__ = ("a",)
            a: int
