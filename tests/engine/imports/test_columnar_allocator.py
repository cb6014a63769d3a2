"""Polars' allocator is told to hand freed pages back at once for a large file only (read a part at
a time, it would hold every part's), and a user's own setting is kept."""

from __future__ import annotations

import pytest

from engine.imports import columnar

RETURN_AT_ONCE = "dirty_decay_ms:0,muzzy_decay_ms:0"


def test_freed_pages_go_back_at_once_from_a_large_file_only(monkeypatch: pytest.MonkeyPatch):
    environ: dict[str, str] = {}
    monkeypatch.setattr(columnar.os, "environ", environ)
    columnar.allocator_settings("x" * (columnar.RETURN_PAGES_FROM_CHARS - 1))
    assert environ == {}  # a file of a part or two: the allocator's own pace
    columnar.allocator_settings("x" * columnar.RETURN_PAGES_FROM_CHARS)
    assert environ == {"_RJEM_MALLOC_CONF": RETURN_AT_ONCE}


def test_a_users_own_allocator_setting_is_kept(monkeypatch: pytest.MonkeyPatch):
    environ = {"_RJEM_MALLOC_CONF": "narenas:1"}
    monkeypatch.setattr(columnar.os, "environ", environ)
    columnar.allocator_settings("x" * columnar.RETURN_PAGES_FROM_CHARS)
    assert environ == {"_RJEM_MALLOC_CONF": "narenas:1"}
