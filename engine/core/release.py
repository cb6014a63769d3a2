"""Letting go of a big structure (a match of a million lots) a piece at a time.

CPython frees an object the moment its last reference goes, and everything only it held with
it, in one C call: dropping a million-lot match frees some ten million objects holding the GIL
for 0.5 s of CPU (a second or two on a busy machine) — the app's event loop cannot run meanwhile,
whichever thread drops it. `release` instead empties the big lists and dicts reachable only
through what it is given a piece at a time, so the interpreter can switch threads between
pieces. Nothing anyone else still holds is touched: a container is emptied only when the walk
holds the sole reference to it (sys.getrefcount), and what is shared is simply dropped, to be
freed by its last holder as usual."""

from __future__ import annotations

import sys
from typing import Any

PIECE = 5_000  # items freed per step: a few ms of CPU at most


def release(owned: list[Any]) -> None:
    """Free what `owned` holds (the caller's list, its items given up: no other reference to
    the list is kept by the caller) in pieces. `owned` is empty afterwards."""
    stack = owned
    while stack:
        item = stack.pop()
        # 2: `item` here and getrefcount's own argument. More: someone else still holds it
        if sys.getrefcount(item) > 2:
            continue
        kind = type(item)
        if kind is list:
            if len(item) > PIECE:
                while item:  # its items one piece at a time (they are small: a lot, a row)
                    del item[-PIECE:]
            else:
                stack.extend(item)
                item.clear()
        elif kind is dict:
            if len(item) > PIECE:
                while item:
                    for _ in range(min(PIECE, len(item))):
                        item.popitem()
            else:
                stack.extend(item.values())
        elif kind is tuple:
            stack.extend(item)
        else:
            _children(item, stack)
        del item


def _children(item: object, stack: list[Any]) -> None:
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
