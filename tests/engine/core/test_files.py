"""Exports are whole or absent: an interrupted write leaves neither half a file nor its temp."""

from __future__ import annotations

import os
import stat
import threading

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


def test_an_export_through_a_symlink_replaces_its_target_and_keeps_the_link(tmp_path):
    """A config or export kept elsewhere and linked (a dotfiles folder): the file it points to
    gets the new text; the link is not replaced by a plain file."""
    target = tmp_path / "kept" / "config.yaml"
    target.parent.mkdir()
    target.write_text("old\n")
    link = tmp_path / "config.yaml"
    link.symlink_to(target)
    write_private(link, "new\n")
    assert link.is_symlink()
    assert target.read_text() == "new\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["config.yaml", "kept"]


def test_an_export_to_a_named_pipe_is_written_into_not_replaced(tmp_path):
    """A path that is not a regular file (a pipe here; /dev/null or /dev/stdout alike) is written
    into: a rename over it would leave a plain file where the pipe (or, as root, /dev/null) was."""
    pipe = tmp_path / "export.pipe"
    os.mkfifo(pipe)
    received: list[bytes] = []
    reader = threading.Thread(target=lambda: received.append(pipe.read_bytes()), daemon=True)
    reader.start()
    write_private(pipe, "step,state\n")
    reader.join(timeout=10)
    assert received == [b"step,state\n"]
    assert stat.S_ISFIFO(pipe.lstat().st_mode)
