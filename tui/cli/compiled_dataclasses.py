"""Dataclasses' generated methods compiled once per installation, not in every process.

`@dataclass` writes each class's `__init__`, `__repr__`, `__eq__`, `__hash__` (and, frozen,
`__setattr__`/`__delattr__`) as Python source and compiles it when the class is defined: at every
start of `harvest`, for the ~30 dataclasses an import or a report loads, 20-40 ms of CPU, most of
a dataclass's cost. The compiled code depends only on that source text, so here the text's code
object is kept beside the modules' bytecode (`__pycache__`, or PYTHONPYCACHEPREFIX's tree) in one
marshal file (each code marshalled on its own, unmarshalled when its class is defined), read at
start and written at exit when a class was new. The functions are then
made exactly as dataclasses makes them, from the same code, the same globals and the same locals.

Only for Python 3.11, whose `dataclasses._create_fn` this repeats line for line (3.13 compiles a
class's methods in one go); only in the `harvest` process itself (tui.cli.main), never in a
caller of `main`. A file that cannot be read (another Python, damaged, absent) is ignored, one
that cannot be written (a read-only install, PYTHONDONTWRITEBYTECODE) is not written: the
methods are compiled as before."""

from __future__ import annotations

import atexit
import contextlib
import importlib.util
import marshal
import os
import sys
from collections.abc import Callable
from pathlib import Path
from types import CodeType
from typing import Any

# texts kept (stale ones pile up across upgrades; each ~7 µs to read): past it, this run's only
MAX_ENTRIES = 1024
_HEADER = importlib.util.MAGIC_NUMBER + b"harvest-dataclass-methods-2\n"
# dataclasses._create_fn's parameters in Python 3.11 (checked before it is replaced)
_SIGNATURE = ("name", "args", "body", "globals", "locals", "return_type")


def cache_path() -> Path | None:
    """Where the compiled methods are kept: beside this module's own bytecode."""
    try:
        return Path(importlib.util.cache_from_source(__file__)).with_name(
            f"dataclass-methods.{sys.implementation.cache_tag}.marshal"
        )
    except (NotImplementedError, ValueError):  # no cache tag: bytecode is not cached either
        return None


def install(path: Path | None = None) -> bool:
    """Make dataclasses use (and keep) the compiled methods from here on; False when it does not
    apply (another Python, or nowhere to keep them)."""
    import dataclasses

    original = getattr(dataclasses, "_create_fn", None)
    if sys.version_info[:2] != (3, 11) or original is None or _parameters(original) != _SIGNATURE:
        return False
    path = path or cache_path()
    if path is None:
        return False
    codes = load(path)
    used: set[str] = set()
    added: dict[str, bytes] = {}
    dataclasses._create_fn = _creator(dataclasses.MISSING, codes, used, added)  # type: ignore[attr-defined]
    if not sys.dont_write_bytecode:
        atexit.register(_save, path, codes, used, added)
    return True


def _parameters(function: Callable[..., Any]) -> tuple[str, ...]:
    code = function.__code__
    return code.co_varnames[: code.co_argcount + code.co_kwonlyargcount]


def _creator(
    missing: object, codes: dict[str, bytes], used: set[str], added: dict[str, bytes]
) -> Callable[..., Any]:
    def _create_fn(  # noqa: PLR0913 - dataclasses' own signature
        name: str,
        args: list[str],
        body: list[str],
        *,
        globals: dict[str, Any] | None = None,  # noqa: A002 - dataclasses' own name
        locals: dict[str, Any] | None = None,  # noqa: A002
        return_type: Any = missing,
    ) -> Any:
        # dataclasses._create_fn of Python 3.11, its text compiled once
        fn_locals = {} if locals is None else locals  # (mutated, as dataclasses mutates it)
        return_annotation = ""
        if return_type is not missing:
            fn_locals["_return_type"] = return_type
            return_annotation = "->_return_type"
        joined_args = ",".join(args)
        joined_body = "\n".join(f"  {b}" for b in body)
        txt = f" def {name}({joined_args}){return_annotation}:\n{joined_body}"
        local_vars = ", ".join(fn_locals.keys())
        txt = f"def __create_fn__({local_vars}):\n{txt}\n return {name}"
        code = _code(codes.get(txt))
        if code is None:
            # as exec(txt) compiles it in dataclasses (no __future__ flags of this module)
            code = compile(txt, "<string>", "exec", dont_inherit=True)
            codes[txt] = added[txt] = marshal.dumps(code)
        used.add(txt)
        ns: dict[str, Any] = {}
        exec(code, globals, ns)  # noqa: S102 - dataclasses' own exec, of its own text
        return ns["__create_fn__"](**fn_locals)

    return _create_fn


def _code(kept: bytes | None) -> CodeType | None:
    """A kept method's code, unmarshalled when it is used (a file of every class the app and the
    commands define: ~800 texts, 12-15 ms to unmarshal whole, 0.5 ms as bytes)."""
    if kept is None:
        return None
    try:
        code = marshal.loads(kept)
    except (EOFError, ValueError, TypeError):
        return None
    return code if isinstance(code, CodeType) else None


def load(path: Path) -> dict[str, bytes]:
    """The compiled methods kept at `path`, each marshalled on its own ({} when there are none
    this Python can use)."""
    try:
        data = path.read_bytes()
    except OSError:
        return {}
    if not data.startswith(_HEADER):
        return {}
    try:
        codes = marshal.loads(data[len(_HEADER) :])
    except (EOFError, ValueError, TypeError):
        return {}
    if not isinstance(codes, dict) or not all(
        isinstance(k, str) and isinstance(v, bytes) for k, v in codes.items()
    ):
        return {}
    return codes


def _save(path: Path, codes: dict[str, bytes], used: set[str], added: dict[str, bytes]) -> None:
    """At exit, when a method was compiled here: the file's methods (another process may have
    added some) and this run's, written whole and put in place at once."""
    if not added:
        return
    kept = load(path)
    kept.update(added)
    if len(kept) > MAX_ENTRIES:
        kept = {txt: codes[txt] for txt in used}
    temporary = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        temporary.write_bytes(_HEADER + marshal.dumps(kept))
        os.replace(temporary, path)
    except OSError:  # a read-only install: compiled again next time, as before
        with contextlib.suppress(OSError):
            temporary.unlink(missing_ok=True)
