"""What the slow path computed, kept beside the store so the next start skips the lot matching
when nothing it depends on changed: the open-lots frame (before terms), realized gains per tax
year, collectibles per year, the data problems and each asset's last acquisition day.

One file, `<store>.slowpath` next to the SQLite file, written atomically and owner-only. It is
used only when its key matches: the engine's code, the ledger's mark (imports, identifications,
decisions, fills), the reconciliation mismatches, the config (every key but `ui`) and today's
date. Anything else —
a missing, stale, unreadable or corrupt file — is ignored and the slow path runs as before, so
a cache can cost time but never a number. Deleting the file is always safe.

The file starts with a fixed header and the key, compared before anything else is read: a start
after an import (the store changed, so the key did) costs a 81-byte read, not the unpickling of
the stale file (~100 MB at a million lots). Then the pickled Python objects (their length first,
8 bytes) and, to the end of the file, the frame's Arrow IPC bytes, read and written as they are:
inside the pickle they were copied by `pickle.loads` and `pickle.dumps`, single C calls that held
the GIL ~150 ms each at a million lots (the app's UI thread stood still meanwhile). The file is
trusted as the store next to it is — the user's own file in their own data directory."""

from __future__ import annotations

import contextlib
import io
import pickle
from dataclasses import dataclass, replace
from decimal import Decimal
from functools import cache
from pathlib import Path

import polars as pl

from engine.config.load import Config
from engine.config.model import UiConfig
from engine.core.digests import sha256
from engine.core.files import sweep_killed_writes, write_atomic_bytes
from engine.core.units import Amount, DayOrdinal
from engine.planning.data_problems import DataProblem
from engine.store.store import Store

FORMAT = 3  # bumped when what is stored changes: an older file is then ignored
SUFFIX = ".slowpath"
MAGIC = b"harvest-slowpath\n"  # then the key (a sha256 in hex)
LENGTH_BYTES = 8  # the pickled part's length, big-endian, after the key


@dataclass(frozen=True)
class SlowPathInputs:
    """What the ScanContext and the tax figures are built from, date-independent parts only."""

    frame: pl.DataFrame  # positions.lots_frame of the open lots (terms are added per day)
    realized_by_year: dict[int, tuple[Amount, Amount]]
    collectibles_by_year: dict[int, Decimal]  # the 28%-rate part per year (Planner)
    problems: list[DataProblem]
    recent_buys: dict[str, DayOrdinal]


def cache_path(store: Store) -> Path:
    return store.path.with_name(store.path.name + SUFFIX)


def cache_key(store: Store, config: Config, today: DayOrdinal) -> str:
    """Everything the cached parts depend on, hashed. The mark moves with every import, sync,
    identification, decision and price fill (by this process or another one)."""
    settings = replace(config, ui=UiConfig(), path=None)  # the theme or keymap change no figure
    parts = (
        FORMAT,
        code_fingerprint(),
        store.ledger_mark(),
        sorted(store.mismatches()),
        repr(settings),
        today,
    )
    return sha256(repr(parts).encode("utf-8")).hexdigest()


@cache
def code_fingerprint() -> str:
    """The engine's own source, hashed: another harvest (a fix to the matching, say) never reads
    what this one computed. Read once per process (~200 small files)."""
    root = Path(__file__).resolve().parent.parent
    digest = sha256()
    for source in sorted(root.rglob("*.py")):
        digest.update(str(source.relative_to(root)).encode("utf-8"))
        digest.update(source.read_bytes())
    return digest.hexdigest()


def load(store: Store, key: str) -> SlowPathInputs | None:
    """The cached inputs when the file is there and its key is `key`; else None (never raises
    for a bad file: it is only a cache)."""
    path = cache_path(store)
    try:
        expected = header(key)  # the key hashes FORMAT too: another format is another key
        with path.open("rb", buffering=0) as handle:  # unbuffered: see the frame's read below
            if handle.read(len(expected)) != expected:
                return None  # the rest is not read
            length = int.from_bytes(handle.read(LENGTH_BYTES), "big")
            stored = pickle.loads(handle.read(length))  # noqa: S301 - the user's own file (see the module note)
            # the rest in one read with the GIL let go: a buffered reader then joined what it had
            # buffered with it, a copy of the whole frame under the GIL (~100 ms at 1M lots)
            frame_bytes = handle.read()
        if not isinstance(stored, dict):
            return None
        frame = pl.read_ipc(io.BytesIO(frame_bytes))
        return SlowPathInputs(
            frame=frame,
            realized_by_year=stored["realized_by_year"],
            collectibles_by_year=stored["collectibles_by_year"],
            problems=stored["problems"],
            recent_buys=stored["recent_buys"],
        )
    except Exception:  # noqa: BLE001 - missing, truncated, another format: recompute
        return None


def save(store: Store, key: str, inputs: SlowPathInputs) -> None:
    """Keep `inputs` for the next start; a failure to write is not the user's problem (the next
    start just recomputes)."""
    frame = io.BytesIO()
    inputs.frame.write_ipc(frame)
    stored = {  # (the format and key are the header's; the frame follows the pickle)
        "realized_by_year": inputs.realized_by_year,
        "collectibles_by_year": inputs.collectibles_by_year,
        "problems": inputs.problems,
        "recent_buys": inputs.recent_buys,
    }
    objects = pickle.dumps(stored, protocol=pickle.HIGHEST_PROTOCOL)
    parts: list[bytes | memoryview] = [header(key), len(objects).to_bytes(LENGTH_BYTES, "big"), objects]
    parts.append(frame.getbuffer())  # the frame's bytes as they lie: no copy
    with contextlib.suppress(OSError):
        write_atomic_bytes(cache_path(store), parts)
    sweep_killed_writes(cache_path(store))


def header(key: str) -> bytes:
    """What the file starts with: the format's magic line and the key."""
    return MAGIC + key.encode("ascii")


def clear(store: Store) -> None:
    cache_path(store).unlink(missing_ok=True)
