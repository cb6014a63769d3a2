"""API credentials for an account: from environment variables, or a YAML secrets file that
only its owner can read. They go to ccxt and nowhere else (never the store, logs or screen);
`redact` scrubs them from any text that might carry them (error messages)."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import yaml

from engine.config.load import AccountConfig
from engine.core.errors import AccountError, ConfigError


class CredentialsError(AccountError):
    exit_code = 2


class ExposedSecretsError(CredentialsError, ConfigError):
    """A secrets file others can read: a configuration problem, named for its account."""


FIELDS = (("apiKey", "api_key_env"), ("secret", "secret_env"), ("password", "password_env"))


def load_credentials(account: AccountConfig) -> dict[str, str]:
    found: dict[str, str] = {}
    if account.secrets_file:
        found.update(_from_file(account, Path(account.secrets_file).expanduser()))
    for ccxt_key, attribute in FIELDS:
        variable = getattr(account, attribute)
        if not variable:
            continue
        value = os.environ.get(variable)
        if not value:
            raise CredentialsError(account.name, f"environment variable {variable} is not set")
        found[ccxt_key] = value
    return found


def _from_file(account: AccountConfig, path: Path) -> dict[str, str]:
    try:
        status = path.stat()
    except OSError as exc:
        raise CredentialsError(account.name, f"secrets file {path}: {exc.strerror or exc}") from None
    if not stat.S_ISREG(status.st_mode):  # a FIFO or device would block the read forever
        raise CredentialsError(account.name, f"secrets file {path} is not a regular file")
    mode = stat.S_IMODE(status.st_mode)
    if mode & 0o077:
        raise ExposedSecretsError(
            account.name, f"secrets file {path} is readable by others (mode {mode:04o}); run chmod 600 {path}"
        )
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (OSError, yaml.YAMLError):
        raise CredentialsError(account.name, f"secrets file {path} is not readable YAML") from None
    if not isinstance(data, dict):
        raise CredentialsError(account.name, f"secrets file {path}: expected apiKey/secret/password keys")
    aliases = {"apiKey": ("apiKey", "api_key"), "secret": ("secret",), "password": ("password", "passphrase")}
    result = {}
    for key, names in aliases.items():
        for name in names:
            if isinstance(data.get(name), str) and data[name]:
                result[key] = data[name]
    unknown = set(data) - {n for names in aliases.values() for n in names}
    if unknown:
        raise CredentialsError(account.name, f"secrets file {path}: unknown key {sorted(unknown)[0]!r}")
    return result


def redact(text: str, secrets: dict[str, str] | None) -> str:
    """Replace every credential (and any request signature) in `text`."""
    for value in (secrets or {}).values():
        if value and len(value) >= 4:
            text = text.replace(value, "[redacted]")
    import re

    return re.sub(r"(signature=)[0-9a-fA-F]+", r"\1[redacted]", text)


def environment_hint(account: AccountConfig) -> str:
    names = [getattr(account, attribute) for _key, attribute in FIELDS if getattr(account, attribute)]
    if account.secrets_file:
        names.append(account.secrets_file)
    return " / ".join(names) or "no credentials configured"
