"""A command's start-up builds only its own parser (command_named): the same namespace, usage
lines, help and errors as the full parser, for every command and the global options before it;
anything uncertain (help, an abbreviation, an unknown word) takes the full parser."""

from __future__ import annotations

import argparse

import pytest

from tui.cli.main import COMMANDS, build_parser, command_named

ARGVS = [
    ["report", "realized", "--format", "csv"],
    ["--config", "x.yaml", "report", "realized", "--year", "2026"],
    ["--config=x.yaml", "--as-of", "2026-01-02", "report", "lots", "--prices", "p.csv"],
    ["--as-of=2026-01-01", "tax", "--year", "2026"],
    ["--prices", "p.csv", "scan"],
    ["--config", "report", "report", "8949", "--year", "2026"],  # a value that is a command's name
    ["report", "realized", "--year", "abc"],
    ["report", "realized", "--format", "xml"],
    ["report"],
    ["report", "--help"],
    ["report", "realized", "-h"],
    ["import", "--help"],
    ["import", "a.csv", "--account", "kraken"],
    ["plan", "--goal", "offset_gains", "--save"],
    ["checklist", "advance", "1"],
    ["review", "pair", "a", "b", "--reason", "mine"],
    ["transition", "propose", "--format", "csv"],
    ["1099da", "reconcile", "--year", "2026"],
    ["demo", "--lots", "10"],
    ["watch", "--once"],
    ["--config"],
    ["--config", "x", "-x", "report"],
    ["-h"],
    ["--conf", "x.yaml", "report", "realized"],
    ["nope"],
    [],
]


def outcome(parser: argparse.ArgumentParser, argv: list[str], capsys) -> tuple[object, str, str]:  # noqa: ANN001
    try:
        result: object = vars(parser.parse_args(argv))
    except SystemExit as exit_:
        result = ("exit", exit_.code)
    captured = capsys.readouterr()
    return result, captured.out, captured.err


@pytest.mark.parametrize("argv", ARGVS, ids=lambda argv: " ".join(argv) or "(none)")
def test_the_commands_own_parser_parses_as_the_full_one(argv: list[str], capsys) -> None:
    full = outcome(build_parser(), argv, capsys)
    assert outcome(build_parser(command_named(argv)), argv, capsys) == full


def test_the_command_is_named_only_when_certain() -> None:
    assert command_named(["report", "realized"]) == "report"
    assert command_named(["--config", "c.yaml", "--as-of=2026-01-01", "scan"]) == "scan"
    assert command_named(["--config", "report", "tax"]) == "tax"
    for uncertain in (
        ["-h", "report"],
        ["--conf", "c.yaml", "report"],
        ["nope"],
        [],
        ["--config"],
        ["--", "tax"],
    ):
        assert command_named(uncertain) is None
    assert {command_named([name]) for name in COMMANDS} == set(COMMANDS)


def test_a_commands_parser_has_only_its_modules_commands() -> None:
    (action,) = [a for a in build_parser("scan")._actions if isinstance(a, argparse._SubParsersAction)]
    assert list(action.choices) == ["tax", "scan", "plan"]  # tax_commands defines all three
