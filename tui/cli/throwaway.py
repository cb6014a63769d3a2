"""A throwaway directory that is removed however the command ends: normally, by an exception,
or by the terminal hanging up (SIGHUP, an SSH session dropped) or a polite kill (SIGTERM) —
which would otherwise end Python without running any cleanup."""

from __future__ import annotations

import os
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType

ENDING_SIGNALS = (signal.SIGHUP, signal.SIGTERM)


@contextmanager
def throwaway_directory(prefix: str) -> Iterator[Path]:
    directory = Path(tempfile.mkdtemp(prefix=prefix))

    def remove_then_end(signum: int, _frame: FrameType | None) -> None:
        shutil.rmtree(directory, ignore_errors=True)
        signal.signal(signum, signal.SIG_DFL)
        os.kill(os.getpid(), signum)  # end as the signal would have: its exit status included

    previous = {number: signal.signal(number, remove_then_end) for number in ENDING_SIGNALS}
    try:
        yield directory
    finally:
        for number, handler in previous.items():
            signal.signal(number, handler)
        shutil.rmtree(directory, ignore_errors=True)
