"""Letting go of a big structure (a match of a million lots) a piece at a time.

CPython frees an object the moment its last reference goes, and everything only it held with
it, in one C call: dropping a million-lot match frees some ten million objects holding the GIL
for 0.5 s of CPU (a second or two on a busy machine) — the app's event loop cannot run meanwhile,
whichever thread drops it. `release` instead empties the big lists and dicts reachable only
through what it is given a piece at a time, so the interpreter can switch threads between
pieces. Nothing anyone else still holds is touched: a container is emptied only when the walk
holds the sole reference to it (sys.getrefcount), and what is shared is simply dropped, to be
freed by its last holder as usual.

The walk does not visit every object: a container whose items are light (a lot: a list of seven
numbers and strings) is freed in pieces of about PIECE objects without looking inside its items;
it looks inside only the few containers whose items are themselves heavy (a match's pools)."""

from __future__ import annotations

import sys
from typing import Any

PIECE = 5_000  # objects freed per step, about: well under a few ms of CPU
SHORT = 64  # a container this short is looked into item by item (cheap)
HEAVY = 64  # an item holding more than this many objects is released on its own


def release(owned: list[Any]) -> None:
    """Free what `owned` holds (the caller's list, its items given up: no other reference to
    the list is kept by the caller) in pieces. `owned` is empty afterwards."""
    stack = owned
    while stack:
        item = stack.pop()
        # 2: `item` here and getrefcount's own argument. More: someone else still holds it
        if sys.getrefcount(item) > 2:
            continue
        if isinstance(item, list | tuple):
            _sequence(item, stack)
        elif type(item) is dict:
            _mapping(item, stack)
        else:
            _attributes(item, stack)
        del item  # freed here: what it held that is still to walk is on the stack


def _sequence(items: list[Any] | tuple[Any, ...], stack: list[Any]) -> None:
    count = len(items)
    if count <= SHORT:
        if sum(map(_weight, items)) > PIECE:
            stack.extend(items)  # each item on its own (a pool's lots)
        return
    weight = _weight(items[0])  # the items of a long list are taken to be alike
    if count * weight <= PIECE or type(items) is not list:
        return
    if weight > HEAVY:
        stack.extend(items)
        items.clear()
        return
    piece = max(1, PIECE // weight)
    while items:
        del items[-piece:]


def _mapping(items: dict[Any, Any], stack: list[Any]) -> None:
    count = len(items)
    if count <= SHORT:
        if sum(map(_weight, items.values())) > PIECE:
            stack.extend(items.values())
        return
    weight = _weight(next(iter(items.values())))
    if count * weight <= PIECE:
        return
    if weight > HEAVY:
        stack.extend(items.values())
        items.clear()
        return
    piece = max(1, PIECE // weight)
    while items:
        for _ in range(min(piece, len(items))):
            items.popitem()


def _weight(value: object) -> int:
    """About how many objects freeing `value` frees, from a look one level into it."""
    if isinstance(value, list | tuple):
        total = len(value) + 1
        if len(value) <= 8:
            total += sum(len(part) for part in value if isinstance(part, list | tuple | dict))
        return total
    if isinstance(value, dict):
        return len(value) + 1
    attributes = getattr(value, "__dict__", None)
    if type(attributes) is dict:
        return (
            len(attributes)
            + 1
            + sum(len(part) for part in attributes.values() if isinstance(part, list | dict))
        )
    return 1


def _attributes(item: object, stack: list[Any]) -> None:
    """An object's attributes (instance dict and slots) onto the stack."""
    attributes = getattr(item, "__dict__", None)
    if type(attributes) is dict:
        stack.extend(attributes.values())
    for klass in type(item).__mro__:
        slots = klass.__dict__.get("__slots__", ())
        for slot in (slots,) if isinstance(slots, str) else slots:
            if slot in ("__dict__", "__weakref__"):
                continue
            value = getattr(item, slot, None)
            if value is not None:
                stack.append(value)
