"""The parsed config, kept beside the store: a command whose config file has not changed since
the last one starts without the YAML parser (about 15 ms to import) and without validating the
file again (5–15 ms more).

One file, `config.cache` in the data directory, holding a key and the Config it stands for
(pickled). The key is a hash of the config file's path and its whole text, the source of the
code that parses it (engine/config) and Python's version: the text is read and compared on
every load, so an edit is never missed, whatever the file's times say. The file is written only
where the data directory already exists, atomically (temp file + rename) and owner-only, and
read only when it is the user's own and writable by no one else: it is trusted as the store next
to it is. A config with exchange keys written in it (`ccxt: {apiKey: …}`) is never cached: the
keys stay in that one file. A missing, foreign, unreadable or corrupt file is ignored (the config is parsed as
before), so the cache can cost a parse, never a setting. Deleting it is always safe."""

from __future__ import annotations

import contextlib
import os
import pickle
import sys
from functools import cache
from pathlib import Path

from engine.config.model import Config
from engine.core.digests import sha256

FORMAT = b"harvest-config-cache 1"  # part of the key: bumped when what is stored changes
NAME = "config.cache"
_KEY_BYTES = 64  # a sha256, in hex, then a line break, then the pickled Config


@cache
def code_fingerprint() -> bytes:
    """The config code's own source and Python's version: another harvest never reads what this
    one parsed. Read once per process (a handful of small files)."""
    digest = sha256(FORMAT + sys.version.encode())
    for source in sorted(Path(__file__).resolve().parent.glob("*.py")):
        digest.update(source.name.encode() + b"\0" + source.read_bytes())
    return digest.digest()


def cache_key(path: Path, text: str) -> bytes:
    digest = sha256(code_fingerprint())
    digest.update(
        str(path).encode("utf-8", "surrogateescape") + b"\0" + text.encode("utf-8", "surrogatepass")
    )
    return digest.hexdigest().encode("ascii")


def cached_config(directory: Path, path: Path, text: str) -> Config | None:
    """The Config last parsed from exactly this text at this path, if the cache holds it."""
    fd = _own_file(directory)
    if fd is None:
        return None
    try:
        with os.fdopen(fd, "rb", closefd=False) as handle:
            data = handle.read()
        if data[:_KEY_BYTES] != cache_key(path, text) or data[_KEY_BYTES : _KEY_BYTES + 1] != b"\n":
            return None
        config = pickle.loads(data[_KEY_BYTES + 1 :])  # noqa: S301 - the user's own file (see above)
    except Exception:  # noqa: BLE001 - only a cache: a bad file is parsed around, never an error
        return None
    finally:
        os.close(fd)
    return config if isinstance(config, Config) and config.path == path else None


def holds(directory: Path, path: Path, text: str) -> bool:
    """Whether the cache holds this very text at this path (its key only: nothing unpickled) in
    a file cached_config would read."""
    fd = _own_file(directory)
    if fd is None:
        return False
    try:
        return os.read(fd, _KEY_BYTES) == cache_key(path, text)
    except OSError:
        return False
    finally:
        os.close(fd)


def _own_file(directory: Path) -> int | None:
    """The cache file, open for reading, when it is the user's own and writable by no one else
    (only such a file is unpickled); else None, nothing left open."""
    try:
        fd = os.open(directory / NAME, os.O_RDONLY)
    except OSError:
        return None
    try:
        status = os.fstat(fd)
    except OSError:
        status = None
    if status is None or status.st_uid != os.getuid() or status.st_mode & 0o022:
        os.close(fd)
        return None
    return fd


def remember_config(directory: Path, path: Path, text: str, config: Config) -> None:
    """Keep `config`, parsed from `text` at `path`, for the next start (when `directory`
    exists; nothing is created for it). Failing to write is not an error: the next start parses."""
    if not directory.is_dir():
        return
    target = directory / NAME
    temp = directory / f".{NAME}.{os.getpid()}.tmp"
    try:
        data = cache_key(path, text) + b"\n" + pickle.dumps(config, protocol=pickle.HIGHEST_PROTOCOL)
        with os.fdopen(os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600), "wb") as handle:
            handle.write(data)
        os.replace(temp, target)
    except (OSError, pickle.PicklingError, TypeError, AttributeError):
        with contextlib.suppress(OSError):
            temp.unlink(missing_ok=True)
