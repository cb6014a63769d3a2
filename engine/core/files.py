"""Writing files: owner-only, and never half-written (temp file + rename). The one home for how
harvest writes exports, logs and the config — and for reading a small text file the user names."""

from __future__ import annotations

import contextlib
import os
import tempfile
import time
from pathlib import Path

from engine.core.errors import InputError

PRIVATE = 0o600
PRIVATE_DIR = 0o700
STALE_TEMP_S = 3600  # a temp file of write_atomic this old is a killed write's (sweep_killed_writes)


def write_atomic(path: Path, text: str, mode: int = PRIVATE) -> None:
    """Replace `path` with `text` in one step (a reader sees the old file or the new one, never
    a part); the file gets `mode`. Raises OSError; the temp file never stays behind."""
    write_atomic_bytes(path, text.encode("utf-8"), mode)


def write_atomic_bytes(
    path: Path, data: bytes | memoryview | list[bytes | memoryview], mode: int = PRIVATE
) -> None:
    """`write_atomic` for bytes (a cache file); a list of parts is written one after the other
    (not joined first: a copy of a large file under the GIL). A symlink's target is the file
    replaced (the link stays: a config kept in a dotfiles folder); a path that is not a regular
    file (/dev/null, /dev/stdout, a named pipe) is written into as it is, never replaced — a
    rename over it would put a plain file in its place (as root, even over /dev/null)."""
    parts = data if isinstance(data, list) else [data]
    if path.is_symlink():
        path = path.resolve()
    if path.exists() and not path.is_file():
        with path.open("wb") as handle:
            for part in parts:
                handle.write(part)
        return
    directory = path.parent if str(path.parent) else Path(".")
    fd, temp = tempfile.mkstemp(dir=directory, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            for part in parts:
                handle.write(part)
        os.chmod(temp, mode)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def sweep_killed_writes(path: Path) -> None:
    """Remove the temp files that writes of `path` killed before their rename left beside it (a
    SIGKILL, a power cut: a large cache's would stay in the data dir). Only those older than
    STALE_TEMP_S, so never the file of another process's write under way."""
    now = time.time()
    with contextlib.suppress(OSError):
        for temp in path.parent.glob(f".{path.name}.*.tmp"):
            with contextlib.suppress(OSError):
                if now - temp.stat().st_mtime > STALE_TEMP_S:
                    temp.unlink()


def write_private(path: Path, text: str) -> None:
    """An export the user asked for: owner-only, whole or not at all; one clear line on failure."""
    try:
        write_atomic(path, text)
    except OSError as exc:
        raise InputError(f"{path}: cannot write: {exc.strerror or exc}") from None


def make_private_dirs(directory: Path) -> None:
    """Create `directory` and any missing parents owner-only (0700); existing ones stay as they
    are (`Path.mkdir(parents=True, mode=…)` gives the mode to the last one only)."""
    missing = [d for d in (directory, *directory.parents) if not d.exists()]
    for new in reversed(missing):
        new.mkdir(mode=PRIVATE_DIR, exist_ok=True)


def open_private(path: Path, flags: int) -> int:
    """Open (creating) an owner-only file: new parent directories are 0700, and a file that
    already exists with wider permissions is narrowed to 0600 (a log or lock that others
    could read would leak what harvest knows)."""
    make_private_dirs(path.parent)
    fd = os.open(path, flags | os.O_CREAT, PRIVATE)
    if os.fstat(fd).st_mode & 0o077:
        os.fchmod(fd, PRIVATE)
    return fd


def append_private(path: Path, text: str) -> None:
    """Append to an owner-only file, e.g. a JSON-lines log."""
    with os.fdopen(open_private(path, os.O_WRONLY | os.O_APPEND), "a", encoding="utf-8") as handle:
        handle.write(text)


def read_user_text(path: Path, what: str) -> str:
    """A small text file the user names (a prices file, say), as UTF-8 (a spreadsheet's BOM
    tolerated), or an InputError of one line naming the file and `what` it was to be."""
    try:
        return path.read_bytes().decode("utf-8-sig")
    except OSError as exc:
        raise InputError(f"{path}: cannot read {what}: {exc.strerror or exc}") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: {what} is not UTF-8 text") from None
