"""The per-row classes written as lean dataclasses with their own __init__ (Shortfall, MoveLeg,
LotRow) take the arguments the generated __init__ took and behave as the plain frozen slots
dataclasses they were."""

from __future__ import annotations

import copy
import dataclasses
import inspect
import pickle
from typing import Any

import pytest

from engine.ledger.gains import LotRow
from engine.ledger.records import MoveLeg, OpenLot, Shortfall

SAMPLES: dict[type, tuple[Any, ...]] = {
    Shortfall: ("kraken", "BTC", 5, 1_700_000_000_000_000, "S1"),
    MoveLeg: (3, "kraken", "BTC", 2, 1_700_000_000_000_000, 10**18, "ledger", "0xabc", "E7"),
    LotRow: (OpenLot("kraken", "BTC", "L1", 10**18, 5, 1, 738_000), 738_000, "short", 12, None, None, None),
}


def twin_of(cls: type) -> type:
    """The plain `@dataclass(frozen=True, slots=True)` of the same fields."""
    specs = []
    for f in dataclasses.fields(cls):
        if f.default is dataclasses.MISSING:
            specs.append((f.name, f.type))
        else:
            specs.append((f.name, f.type, dataclasses.field(default=f.default)))
    return dataclasses.make_dataclass(cls.__name__, specs, frozen=True, slots=True)


@pytest.mark.parametrize("cls", list(SAMPLES), ids=lambda c: c.__name__)
def test_the_written_init_is_the_generated_one(cls: type) -> None:
    twin = twin_of(cls)
    own = inspect.signature(cls.__init__).parameters
    generated = inspect.signature(twin.__init__).parameters
    assert [(p.name, p.kind, p.default) for p in own.values()] == [
        (p.name, p.kind, p.default) for p in generated.values()
    ]
    args = SAMPLES[cls]
    value, plain = cls(*args), twin(*args)
    names = [f.name for f in dataclasses.fields(cls)]
    assert [getattr(value, n) for n in names] == [getattr(plain, n) for n in names]
    assert cls(**dict(zip(names, args, strict=True))) == value
    assert repr(value) == repr(plain)
    assert hash(value) == hash(plain)
    with pytest.raises(dataclasses.FrozenInstanceError):
        setattr(value, names[0], None)
    assert pickle.loads(pickle.dumps(value)) == value
    assert copy.deepcopy(value) == value
    assert not hasattr(value, "__dict__")
