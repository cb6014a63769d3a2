"""A harvest CSV known from its own header, before the other formats are loaded.

Detection (engine.imports.registry) tries every other format before harvest CSV, so it imports
all twenty of them (about 10 ms of a small import's start). Most files a user imports by hand are
harvest CSV, and for those the answer does not need the other formats: detect() takes a file as
harvest CSV at its first record when

- that record names harvest CSV columns only, its core among them: no other format's header or
  core columns can be found in it, since each names a column harvest CSV does not have; and
- none of the next PREAMBLE records holds a cell in MARKERS: a record after the first can only
  be taken as another format's header where that format allows a preamble (Coinbase: up to 12
  lines), and each of those headers has one of MARKERS among its columns.

Both facts are about the other formats' declarations; tests/engine/imports/test_harvest_header.py
holds them true of registry.FORMATS (and a format added with a preamble or a header made of
harvest's column names fails it), and checks that `harvest_detected` never answers otherwise
than detect() does. When it gives None, detect() decides, as before."""

from __future__ import annotations

from engine.imports.formats import Detected, normalized
from engine.imports.generic_csv import COLUMNS, HARVEST_CSV

PREAMBLE = 12  # the most records any format's header may come after (Coinbase's)
MARKERS = frozenset({"transaction type"})  # one of them in each header allowed after a preamble
_COLUMNS = frozenset(COLUMNS)


def harvest_detected(head: list[list[str]]) -> Detected | None:
    """What detect(head) gives when it is harvest CSV at the first record, else None (then ask
    detect: it may still be harvest CSV, or another format, or none)."""
    if not head:
        return None
    names = normalized(head[0])
    if not names or not _COLUMNS.issuperset(names) or not HARVEST_CSV.core.issubset(names):
        return None
    for record in head[1 : PREAMBLE + 1]:
        if any(cell.strip().lower() in MARKERS for cell in record):
            return None
    return Detected(HARVEST_CSV, f"{len(names)} columns", 0)
