"""Dataclasses' methods compiled once (tui/cli/compiled_dataclasses.py): a class built from the
kept code is the class dataclasses builds (the same bytecode, annotations, defaults and
behaviour), the kept file round-trips, a damaged or foreign file is ignored, and `harvest` keeps
the methods of a run for the next one."""

from __future__ import annotations

import atexit
import dataclasses
import os
import subprocess
import sys
import types
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import ROOT
from tui.cli import compiled_dataclasses as compiled

pytestmark = pytest.mark.skipif(sys.version_info[:2] != (3, 11), reason="repeats Python 3.11's dataclasses")

SOURCE = """
from dataclasses import dataclass, field, KW_ONLY, InitVar
from typing import ClassVar

@dataclass(frozen=True)
class Frozen:
    name: str
    size: int = 3
    tags: tuple[str, ...] = field(default_factory=tuple)
    kind: ClassVar[str] = "f"

@dataclass(order=True, slots=True)
class Ordered:
    a: int
    b: "str" = "x"
    _: KW_ONLY
    c: float = 1.5

@dataclass(eq=True, unsafe_hash=True)
class Hashed:
    x: int
    seed: InitVar[int] = 0
    def __post_init__(self, seed: int) -> None:
        self.x += seed
"""


def _classes() -> dict[str, Any]:
    """The SOURCE's classes, defined afresh in a module of their own."""
    module = types.ModuleType("dataclass_probe")
    sys.modules[module.__name__] = module
    try:
        exec(compile(SOURCE, "<probe>", "exec", dont_inherit=True), module.__dict__)  # noqa: S102
    finally:
        del sys.modules[module.__name__]
    return module.__dict__


@pytest.fixture
def creator() -> Iterator[Callable[[dict[str, bytes]], dict[str, bytes]]]:
    """Install the kept-code creator over a given cache; returns what it compiled."""
    original = dataclasses._create_fn  # type: ignore[attr-defined]

    def use(codes: dict[str, bytes]) -> dict[str, bytes]:
        added: dict[str, bytes] = {}
        dataclasses._create_fn = compiled._creator(dataclasses.MISSING, codes, set(), added)  # type: ignore[attr-defined]
        return added

    yield use
    dataclasses._create_fn = original  # type: ignore[attr-defined]


def _methods(cls: type) -> dict[str, Any]:
    return {
        name: getattr(cls, name)
        for name in ("__init__", "__repr__", "__eq__", "__hash__", "__setattr__", "__delattr__", "__lt__")
        if callable(getattr(cls, name, None)) and getattr(getattr(cls, name), "__code__", None) is not None
    }


def _same_function(a: Any, b: Any) -> None:
    for attribute in ("co_code", "co_consts", "co_names", "co_varnames", "co_flags", "co_filename"):
        assert getattr(a.__code__, attribute) == getattr(b.__code__, attribute), attribute
    # (by repr: an InitVar[int] of each definition is an object of its own, equal to no other)
    assert {k: repr(v) for k, v in a.__annotations__.items()} == {
        k: repr(v) for k, v in b.__annotations__.items()
    }
    assert a.__defaults__ == b.__defaults__
    assert a.__kwdefaults__ == b.__kwdefaults__
    assert a.__qualname__ == b.__qualname__


def test_a_class_from_kept_code_is_the_class_dataclasses_builds(creator) -> None:
    plain = _classes()
    codes: dict[str, bytes] = {}
    added = creator(codes)
    fresh = _classes()  # compiled here, kept in codes
    assert added
    assert set(added) == set(codes)
    again_added = creator(codes)
    kept = _classes()  # every method from the kept code
    assert again_added == {}
    for name in ("Frozen", "Ordered", "Hashed"):
        for built in (fresh, kept):
            want, got = _methods(plain[name]), _methods(built[name])
            assert want.keys() == got.keys()
            for method in want:
                _same_function(want[method], got[method])
    frozen = kept["Frozen"]("a")
    other = plain["Frozen"]("a")
    assert (repr(frozen), hash(frozen)) == (repr(other), hash(other))
    assert frozen == kept["Frozen"]("a") != kept["Frozen"]("b")
    with pytest.raises(dataclasses.FrozenInstanceError):
        frozen.size = 4
    assert kept["Ordered"](1) < kept["Ordered"](2, c=0.5)
    assert kept["Hashed"](1, 5).x == 6


def test_a_damaged_kept_method_is_compiled_again(creator) -> None:
    codes: dict[str, bytes] = {}
    creator(codes)
    plain = _classes()
    damaged = dict.fromkeys(codes, b"\x00not code")
    recompiled = creator(damaged)
    again = _classes()
    assert set(recompiled) == set(codes)
    for method, function in _methods(plain["Frozen"]).items():
        _same_function(function, _methods(again["Frozen"])[method])


def test_the_kept_file_round_trips_and_a_bad_one_is_ignored(tmp_path: Path, creator) -> None:
    path = tmp_path / "cache" / "dataclass-methods.marshal"
    codes: dict[str, bytes] = {}
    used: set[str] = set()
    added = creator(codes)
    _classes()
    compiled._save(path, codes, used | set(codes), added)
    assert compiled.load(path) == codes
    for damaged in (b"", b"not a cache", path.read_bytes()[:-7], compiled._HEADER + b"\x00garbage"):
        path.write_bytes(damaged)
        assert compiled.load(path) == {}
    assert compiled.load(tmp_path / "absent") == {}


def test_install_keeps_the_methods_at_exit_unless_bytecode_is_not_written(
    tmp_path: Path, monkeypatch
) -> None:
    original = dataclasses._create_fn  # type: ignore[attr-defined]
    path = tmp_path / "methods.marshal"
    saved: list[tuple[Any, ...]] = []
    monkeypatch.setattr(atexit, "register", lambda function, *args: saved.append((function, *args)))
    try:
        monkeypatch.setattr(sys, "dont_write_bytecode", True)
        assert compiled.install(path)
        assert saved == []  # PYTHONDONTWRITEBYTECODE: read, never written
        monkeypatch.setattr(sys, "dont_write_bytecode", False)
        assert compiled.install(path)
        _classes()
        function, *args = saved[0]
        function(*args)
        assert len(compiled.load(path)) >= 6
    finally:
        dataclasses._create_fn = original  # type: ignore[attr-defined]


def test_harvest_keeps_the_methods_of_a_run_for_the_next(tmp_path: Path) -> None:
    (tmp_path / "config.yaml").write_text("tax:\n  timezone: America/New_York\n")
    env = {
        **os.environ,
        "PYTHONPYCACHEPREFIX": str(tmp_path / "pycache"),
        "HARVEST_HOME": str(tmp_path / "home"),
        "HARVEST_CONFIG": str(tmp_path / "config.yaml"),
    }
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    command = [sys.executable, "-m", "tui", "report", "realized", "--format", "csv"]
    first = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    (path,) = (tmp_path / "pycache").rglob("dataclass-methods.*.marshal")
    kept = compiled.load(path)
    assert len(kept) >= 20  # the report's dataclasses' methods
    written = path.stat().st_mtime_ns
    second = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True)
    assert (first.returncode, first.stdout, first.stderr) == (second.returncode, second.stdout, second.stderr)
    assert first.returncode == 0
    assert path.stat().st_mtime_ns == written  # nothing new: not written again
