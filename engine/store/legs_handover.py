"""The forked child's part of the legs (engine.store.forked_fetch), handed to the parent as it
is fetched: the child writes each chunk it fetches (legs_query.CHUNK rows) to the scratch file
as soon as it has it and says, on a pipe, how far the file is written; the parent decodes what
has arrived between its own chunks (`Incoming.poll`), so by the time its own part is read most
of the child's is decoded too, and it waits only for the child's last chunks (`finish`).

The file: the legs cache's header and key (legs_cache.header), then records of a 4-byte length,
a tag and the data — each chunk of legs one `marshal` record of its row tuples, then the count
and the extras (their rows, or None when no leg of the part has them). The pipe: after each
write, the file's length so far, 8 bytes (one atomic pipe write); its end (the child's exit,
whatever the exit) is the end of the handover. What the parent takes is only a whole part,
written under its own key, counted, with nothing after it; anything else — a short, garbled or
overlong file, another key — is None, and the parent fetches the part itself."""

from __future__ import annotations

import marshal
import os
import sqlite3
from collections.abc import Iterable, Iterator
from operator import itemgetter
from typing import Any

from engine.store import forking, legs_cache, legs_query

_LEGS, _END = b"L", b"E"  # a chunk of legs; the count and the extras (the last record)
_HEAD = 5  # a record's length (4 bytes) and tag
_UNIT = 8  # the pipe's message: the file's length so far
_EXTRA = itemgetter(6)  # a leg row's has_extra (1 or None)


def records(key: str, conn: sqlite3.Connection, where: str, args: tuple[object, ...]) -> Iterator[bytes]:
    """The part's file, piece by piece as it is fetched: the header, a record a chunk, the end."""
    yield legs_cache.header(key)
    count, flagged = 0, False
    for part in legs_query.chunks(conn, legs_query.legs_sql(where), args):
        yield record(_LEGS, marshal.dumps(part))
        flagged = flagged or any(map(_EXTRA, part))
        count += len(part)
    extras = conn.execute(legs_query.extras_sql(where), args).fetchall() if flagged else None
    yield record(_END, marshal.dumps((count, extras)))


def record(tag: bytes, data: bytes) -> bytes:
    return len(data).to_bytes(4, "little") + tag + data


def send(pieces: Iterable[bytes], out: int, notify: int) -> None:  # pragma: no cover - the child's
    """Write each piece to the file `out`, then its length so far to the pipe `notify`."""
    written = 0
    for piece in pieces:
        forking.write_all(out, piece)
        written += len(piece)
        forking.write_all(notify, written.to_bytes(_UNIT, "little"))


class Incoming:
    """The child's part as far as it has arrived, decoded: `poll` between the parent's own
    chunks, `finish` once they are read. Never raises for what the child wrote."""

    def __init__(self, fd: int, notify: int, key: str) -> None:
        self._fd, self._notify = fd, notify
        self._header = legs_cache.header(key)
        self._unread = b""  # a part of a pipe message (never, with atomic writes: kept whole anyway)
        self._known = 0  # how far the child says the file is written
        self._at = 0  # how far it is decoded
        self._open = True
        self._broken = False
        self._legs: list[Any] = []
        self._end: Any = None

    def poll(self) -> None:
        """Decode what has arrived, waiting for nothing."""
        os.set_blocking(self._notify, False)
        self._take()

    def finish(self) -> legs_cache.Fetched | None:
        """Wait for the child's end of the pipe to close, decode the rest, and return the whole
        part as the plain fetch returns it — or None (short, garbled, overlong, another key)."""
        os.set_blocking(self._notify, True)
        self._take()
        try:
            whole = not self._broken and self._end is not None and self._at == self._known
            if not whole or os.fstat(self._fd).st_size != self._at:
                return None
            count, extras = self._end
            legs = self._legs
            if count != len(legs):
                return None
            flagged = len(list(filter(_EXTRA, legs)))
            if not flagged:
                return (legs, None) if extras is None else None
            if type(extras) is not list or len(extras) != flagged:
                return None
            return legs, extras
        except Exception:  # noqa: BLE001 - garbled: the parent fetches the part itself
            return None

    def _take(self) -> None:
        while self._open:
            try:
                data = os.read(self._notify, 4096)
            except BlockingIOError:
                break
            if not data:
                self._open = False
                break
            data = self._unread + data
            whole = len(data) - len(data) % _UNIT
            self._unread = data[whole:]
            if whole:
                self._known = int.from_bytes(data[whole - _UNIT : whole], "little")
        self._decode()

    def _decode(self) -> None:
        fd, known = self._fd, self._known
        try:
            if self._at == 0 and not self._broken:
                if known < len(self._header):
                    return
                if os.pread(fd, len(self._header), 0) != self._header:
                    self._broken = True
                    return
                self._at = len(self._header)
            while not self._broken and self._end is None and self._at + _HEAD <= known:
                head = os.pread(fd, _HEAD, self._at)
                size = int.from_bytes(head[:4], "little")
                if self._at + _HEAD + size > known:
                    return  # not all there yet
                data = os.pread(fd, size, self._at + _HEAD)
                if len(head) != _HEAD or len(data) != size:
                    self._broken = True
                elif head[4:] == _END:
                    self._end = marshal.loads(data)
                elif head[4:] == _LEGS:
                    part = marshal.loads(data)
                    if type(part) is not list:
                        self._broken = True
                    else:
                        self._legs += part
                else:
                    self._broken = True
                self._at += _HEAD + size
        except Exception:  # noqa: BLE001 - garbled: the parent fetches the part itself
            self._broken = True
