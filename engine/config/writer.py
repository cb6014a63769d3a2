"""Saving edits from the app (tax profile, theme) back to the config file without losing its comments.

ruamel.yaml round-trips the file (comments, order, quoting); the new text is validated with the
same parser the app uses before it replaces the file atomically (temp file + rename), so a
rejected edit leaves the file as it was."""

from __future__ import annotations

import io
from decimal import Decimal
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap

from engine.config.load import Config, parse_config
from engine.core.errors import ConfigError
from engine.core.files import PRIVATE, write_atomic


def _plain(value: Any) -> Any:
    # whole numbers stay ints; other Decimals are written by _decimal_scalar, digit for digit
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def _decimal_scalar(representer: Any, value: Decimal) -> Any:
    """A Decimal as a plain YAML number with its exact digits (never through float)."""
    return representer.represent_scalar("tag:yaml.org,2002:float", f"{value:f}")


def save_tax_profile(path: Path, changes: dict[str, Any]) -> Config:
    """Set `tax.<key>` (dotted keys for nested ones, e.g. `carryforward.short_term`)."""
    return save_settings(path, "tax", changes)


def save_ui_theme(path: Path, theme: str) -> Config:
    """Set `ui.theme` (a theme chosen in the app), the rest of the file as it was."""
    return save_settings(path, "ui", {"theme": theme})


def save_settings(path: Path, section_name: str, changes: dict[str, Any]) -> Config:
    """Set `<section_name>.<key>` for each change (dotted keys for nested ones)."""
    yaml = YAML()
    yaml.preserve_quotes = True
    yaml.representer.add_representer(Decimal, _decimal_scalar)
    # a symlinked config (dotfiles) is edited where it lives, the link kept
    path = path.resolve() if path.is_symlink() else path
    try:
        text = path.read_text(encoding="utf-8") if path.exists() else ""
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read config: {exc.strerror or exc}") from None
    document = yaml.load(text) if text.strip() else None
    if document is None:
        document = CommentedMap()
    if not isinstance(document, dict):
        raise ConfigError(f"{path}: the config is not a mapping; not saving")
    section = document.get(section_name)
    if not isinstance(section, dict):
        section = document[section_name] = CommentedMap()
    for dotted, value in changes.items():
        node = section
        *parents, leaf = dotted.split(".")
        for name in parents:
            if not isinstance(node.get(name), dict):
                node[name] = CommentedMap()
            node = node[name]
        node[leaf] = _plain(value)
    buffer = io.StringIO()
    yaml.dump(document, buffer)
    new_text = buffer.getvalue()
    config = parse_config(new_text, path)  # refuses anything the app would refuse
    existed = path.exists()
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        write_atomic(path, new_text, path.stat().st_mode & 0o777 if existed else PRIVATE)
    except OSError as exc:
        if not existed:  # no file yet: say it was to be created, not that it is there
            raise ConfigError(f"cannot create the config file {path}: {exc.strerror or exc}") from None
        raise ConfigError(f"{path}: cannot write config: {exc.strerror or exc}") from None
    return config
