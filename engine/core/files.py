"""Writing files: owner-only, and never half-written (temp file + rename). The one home for how
harvest writes exports, logs and the config."""

from __future__ import annotations

import os
import tempfile
from pathlib import Path

from engine.core.errors import InputError

PRIVATE = 0o600


def write_atomic(path: Path, text: str, mode: int = PRIVATE) -> None:
    """Replace `path` with `text` in one step (a reader sees the old file or the new one, never
    a part); the file gets `mode`. Raises OSError; the temp file never stays behind."""
    directory = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="") as handle:
            handle.write(text)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def write_private(path: Path, text: str) -> None:
    """An export the user asked for: owner-only, whole or not at all; one clear line on failure."""
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None


def append_private(path: Path, text: str) -> None:
    """Append to an owner-only file (created 0600), e.g. a JSON-lines log."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, PRIVATE)
    with os.fdopen(fd, "a", encoding="utf-8") as handle:
        handle.write(text)
