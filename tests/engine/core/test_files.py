"""Exports are whole or absent: an interrupted write leaves neither half a file nor its temp."""

from __future__ import annotations

import os

import pytest

from engine.core.files import write_private


def test_an_export_interrupted_before_its_rename_leaves_nothing_behind(tmp_path, monkeypatch):
    target = tmp_path / "checklist.csv"
    target.write_text("the old export\n")

    def interrupted(*_args: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        write_private(target, "step,state\n1,planned\n")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["checklist.csv"]
    assert target.read_text() == "the old export\n"


def test_an_export_is_owner_only(tmp_path):
    target = tmp_path / "out.csv"
    write_private(target, "a\n")
    assert target.stat().st_mode & 0o777 == 0o600
