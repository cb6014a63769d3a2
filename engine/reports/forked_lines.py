"""The row-by-row realized CSV's lines formatted by two processes: formatting ~50,000 rows is
0.15-0.3 s of one core (four amounts a row in Python: engine.reports.realized_rows_csv), and the
`harvest report` that runs it otherwise leaves the machine's other core idle through it.

Only where the process may fork, as the legs' fetch does (engine.store.forked_fetch: the
`harvest` command itself, one thread, a CPU free now), and from FORK_FROM_ROWS rows. The parent
forks once the rows are in their columns; the child formats the rows from the split on (the
same function, the same columns: inherited, not copied or sent) and writes their UTF-8 text,
after its length, to an anonymous file, while the parent formats and writes the header and the
rows before the split. The parent then reaps the child and writes its text after its own, only
when the child ended with 0 and the file holds the length it says; any other outcome (fork
refused, the child's failure or signal, a short file) and the parent formats the rest itself:
the bytes written are always the one-process writer's. The child ends only by os._exit (it
prints nothing, flushes nothing: what the parent's streams hold is written by the parent alone),
and is always reaped (killed first if the parent's wait is interrupted).

Measured (2026-12-02): counted in instructions (cachegrind, the `harvest report realized
--format csv` of bench_cli's stores, forced to fork or not), the parent's own path — what the
report waits for when the other core is free — 2,909.7 -> 2,298.7 million at 48,864 rows (-21%)
and 957.2 -> 830.4 million at 9,706 (-13%), the child's part about as much again on the other
core; in-process, 48,864 rows at load ~2: the lines 163-309 ms of wall in one process, 119-174 ms
in two (the child's part 110-165 ms of CPU, ~5,450 page faults copying what it touches). A fork
of such a process is ~2.5 ms of CPU; with both cores busy the two parts take turns and the fork
is a loss, so it is not taken then. Whole `harvest report` runs, forced to fork or not,
alternating (10-12 rounds, load 3.2-3.4): at 48,864 rows the report's wall median 685 ms
(527-924) against 741 ms (649-845), its CPU 780 against 719 ms; at 9,706 rows 306 against 300
ms, no gain, hence FORK_FROM_ROWS."""

from __future__ import annotations

from collections.abc import Sequence
from typing import IO, Any, BinaryIO, TextIO

from engine.ledger.records import RealizedRow
from engine.reports.realized_rows_csv import columns_of, csv_line, lines_of_columns
from engine.store import forking

FORK_FROM_ROWS = 20_000  # below this no gain shows in wall time (9,706 rows, forced, load 3.3)
PARENT_SHARE = 0.5  # half each: the parent also writes the child's text, the child starts after the fork
LENGTH_BYTES = 8  # the child's text's length, before it (little-endian)

last = ""  # how the last write here went ("split", "parent wrote the rest"): for tests and bench/


def may_fork(rows: int) -> bool:
    """Whether `rows` rows are worth formatting in two processes, and this process may fork now."""
    return rows >= FORK_FROM_ROWS and forking.may_fork()


def write_realized(
    header: Sequence[str], rows: Sequence[RealizedRow], out: TextIO, binary: IO[bytes] | None
) -> None:
    """The header and rows' CSV lines, written to out as realized_rows_csv writes them: the rows
    from the split on formatted by a forked child. `binary`: out's byte stream when text written
    to out reaches it unchanged (the child's UTF-8 goes there), else None (it is decoded)."""
    global last
    columns = columns_of(rows)
    split = round(len(columns[0]) * PARENT_SHARE)
    with forking.scratch() as scratch:
        theirs = forking.forked(scratch, lambda: _child(columns, split, scratch))
        try:
            out.write(csv_line(header) + lines_of_columns(*(column[:split] for column in columns)))
        finally:
            status = theirs()  # the child reaped, whatever happens here
        rest = _read_back(scratch) if status == 0 else None
    last = "split"
    if rest is None:  # no fork, a failed child, a short file: the rest formatted here
        last = "parent wrote the rest"
        out.write(lines_of_columns(*(column[split:] for column in columns)))
    elif binary is not None:
        out.flush()  # the parent's text first
        binary.write(rest)
    else:
        out.write(rest.decode("utf-8"))


def _child(
    columns: tuple[list[Any], ...], split: int, scratch: BinaryIO
) -> None:  # pragma: no cover - runs in the forked child only
    text = lines_of_columns(*(column[split:] for column in columns)).encode("utf-8")
    forking.write_all(scratch.fileno(), len(text).to_bytes(LENGTH_BYTES, "little") + text)


def _read_back(scratch: BinaryIO) -> bytes | None:
    """The child's text, when the file holds as much as it says."""
    scratch.seek(0)
    data = scratch.read()
    if len(data) < LENGTH_BYTES or int.from_bytes(data[:LENGTH_BYTES], "little") != len(data) - LENGTH_BYTES:
        return None
    return data[LENGTH_BYTES:]
