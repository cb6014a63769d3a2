"""Every test runs away from the user's own harvest: the default data and config folders
(platformdirs follows the XDG variables) point into the test's temporary folder, so a test that
leaves HARVEST_HOME / HARVEST_CONFIG unset never reads a real config nor writes a store or the
config cache into ~/.local/share/harvest."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def _private_user_folders(tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch) -> None:
    root: Path = tmp_path_factory.mktemp("xdg")
    for name in ("XDG_DATA_HOME", "XDG_CONFIG_HOME", "XDG_CACHE_HOME", "XDG_STATE_HOME"):
        monkeypatch.setenv(name, str(root / name.lower()))
