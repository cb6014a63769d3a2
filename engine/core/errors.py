"""Typed errors. Every HarvestError is a user-facing problem: the CLI prints str(err) on one
line and exits non-zero, never a traceback."""

from __future__ import annotations


class HarvestError(Exception):
    """Base of every error caused by input, configuration or the environment."""

    exit_code = 1


class ConfigError(HarvestError):
    """The config file (or a value in it) is invalid."""

    exit_code = 2


class InputError(HarvestError):
    """A file or argument given on the command line is invalid."""

    exit_code = 2


class AccountError(HarvestError):
    """A problem with one exchange account. It keeps the account and the reason apart, so a
    list of accounts (a sync report, a notification) names the account once, before `reason`."""

    def __init__(self, account: str, reason: str) -> None:
        self.account = account
        self.reason = reason
        super().__init__(f"{account}: {reason}")


class CsvImportError(InputError):
    """A CSV file has one or more bad rows; nothing from it was imported."""

    def __init__(self, path: str, problems: list[str]) -> None:
        self.path = path
        self.problems = problems
        super().__init__("\n".join(problems))


class StoreError(HarvestError):
    """The local store cannot be opened or written."""


class TaxParamsError(HarvestError):
    """Tax parameters are missing (e.g. an unsupported year) or malformed."""

    exit_code = 2
