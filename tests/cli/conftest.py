"""What the command-line tests share: a harvest home and config of their own (a file's own
`home` fixture, when it needs more in it, takes precedence)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture
def home(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
    config = tmp_path / "config.yaml"
    config.write_text("tax:\n  timezone: America/New_York\n")
    monkeypatch.setenv("HARVEST_CONFIG", str(config))
    return tmp_path
