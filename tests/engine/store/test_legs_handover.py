"""The child's part handed over as it is fetched (engine.store.legs_handover): the parent decodes
what has arrived whenever it polls — a record told in pieces only once whole — and takes the
part at the end only whole: under its key, every record complete, counted, the extras with it,
nothing after it. Anything else is None (the parent then fetches the part itself)."""

from __future__ import annotations

import marshal
import os
import tempfile
from collections.abc import Iterator

import pytest

from engine.store import legs_cache, legs_handover

KEY = "k" * 64
LEGS = [(1, 0, 10 + i, 5 * 10**17, "123456789012345678901234", f"T{i}", None) for i in range(7)]
FLAGGED = [*LEGS[:3], (2, 3, 20, 10**18, None, "K4", 1), *LEGS[3:]]
EXTRAS = [("L1:1", "ledger", "0xabc", None)]


def pieces(legs: list, extras: list | None, key: str = KEY, count: int | None = None) -> list[bytes]:
    chunks = [legs[i : i + 3] for i in range(0, len(legs), 3)]
    end = marshal.dumps((len(legs) if count is None else count, extras))
    return [
        legs_cache.header(key),
        *(legs_handover.record(b"L", marshal.dumps(c)) for c in chunks),
        legs_handover.record(b"E", end),
    ]


@pytest.fixture
def ends() -> Iterator[tuple[int, int, int]]:
    """The scratch file, and the pipe's read and write ends."""
    with tempfile.TemporaryFile() as scratch:
        read, write = os.pipe()
        try:
            yield os.dup(scratch.fileno()), read, write
        finally:
            os.close(read)


def handed(ends: tuple[int, int, int], parts: list[bytes], key: str = KEY) -> legs_cache.Fetched | None:
    fd, read, write = ends
    legs_handover.send(parts, fd, write)
    os.close(write)
    got = legs_handover.Incoming(fd, read, key).finish()
    os.close(fd)
    return got


def test_a_whole_part_is_the_fetch_with_or_without_extras(ends: tuple[int, int, int]):
    assert handed(ends, pieces(LEGS, None)) == (LEGS, None)


def test_the_extras_come_with_the_legs_that_have_them(ends: tuple[int, int, int]):
    assert handed(ends, pieces(FLAGGED, EXTRAS)) == (FLAGGED, EXTRAS)


@pytest.mark.parametrize(
    "parts",
    [
        pieces(LEGS, None, key="x" * 64),  # another key
        pieces(LEGS, None, count=6),  # another count
        pieces(FLAGGED, None),  # a leg with extras, none sent
        pieces(FLAGGED, []),  # too few
        pieces(LEGS, EXTRAS),  # extras for no leg
        pieces(LEGS, None)[:-1],  # no end
        [b"".join(pieces(LEGS, None))[:-3]],  # short
        [*pieces(LEGS, None), b"more"],  # overlong
        [*pieces(LEGS, None)[:2], legs_handover.record(b"X", b"?"), *pieces(LEGS, None)[2:]],  # a tag unknown
        [*pieces(LEGS, None)[:2], legs_handover.record(b"L", b"garbage"), *pieces(LEGS, None)[2:]],
        [*pieces(LEGS, None)[:2], legs_handover.record(b"L", marshal.dumps((1, 2))), *pieces(LEGS, None)[2:]],
        [],  # nothing at all (the child failed before its first write)
    ],
)
def test_anything_but_a_whole_part_is_none(ends: tuple[int, int, int], parts: list[bytes]):
    assert handed(ends, parts) is None


def test_what_has_arrived_is_decoded_at_each_poll_and_a_record_only_once_whole(ends: tuple[int, int, int]):
    fd, read, write = ends
    incoming = legs_handover.Incoming(fd, read, KEY)
    parts = pieces(LEGS, None)
    data = b"".join(parts)
    written = 0
    decoded = []
    # the first record told in two writes (its head, then the rest): nothing before it is whole
    cut = len(parts[0]) + 2
    for piece in (data[:cut], data[cut : len(parts[0]) + len(parts[1])], *parts[2:]):
        os.write(fd, piece)
        written += len(piece)
        os.write(write, written.to_bytes(8, "little"))
        incoming.poll()
        decoded.append(len(incoming._legs))
    assert decoded == [0, 3, 6, 7, 7]
    os.close(write)
    assert incoming.finish() == (LEGS, None)
    os.close(fd)
