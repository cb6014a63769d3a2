"""The `harvest` command line: the parser, built from each command module's `add_parser`, and
one table from command to handler. Kept light: a command imports its own module only (and builds
only its own parser), and the command modules import the engine inside their handlers, so
`harvest import` and `harvest report realized|lots` load neither textual, ccxt nor polars, and
start fast."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import TextIO

from engine.core.errors import CsvImportError, HarvestError
from tui.cli import quick_exit
from tui.cli.context import FORMATS, Handler, Subparsers

# Each command's module (in tui.cli) is imported only when its command runs or its parser is built:
# a command's start-up loads its own module, not the other eleven (and their imports).
# In the order `harvest --help` lists them: a module and the commands its add_parser defines.
PARSERS = (
    ("import_command", ("import",)),
    ("assets_command", ("assets",)),
    ("report_commands", ("report",)),
    ("tax_commands", ("tax", "scan", "plan")),
    ("checklist_command", ("checklist",)),
    ("transition_command", ("transition",)),
    ("form1099_command", ("1099da",)),
    ("review_command", ("review",)),
    ("sync_command", ("sync",)),
    ("prices_command", ("prices",)),
    ("watch_command", ("watch",)),
    ("demo_command", ("demo",)),
)

# command -> "module:handler" (resolved by handler_for)
COMMANDS: dict[str, str] = {
    "import": "import_command:cmd_import",
    "assets": "assets_command:cmd_assets",
    "tax": "tax_commands:cmd_tax",
    "scan": "tax_commands:cmd_scan",
    "plan": "tax_commands:cmd_plan",
    "checklist": "checklist_command:cmd_checklist",
    "transition": "transition_command:cmd_transition",
    "1099da": "form1099_command:cmd_1099da",
    "review": "review_command:cmd_review",
    "sync": "sync_command:cmd_sync",
    "prices": "prices_command:cmd_prices",
    "watch": "watch_command:cmd_watch",
    "demo": "demo_command:cmd_demo",
}

REPORTS: dict[str, str] = {  # `harvest report KIND`
    "realized": "report_commands:cmd_report_realized",
    "lots": "report_commands:cmd_report_lots",
    "8949": "report_commands:cmd_report_8949",
    "identifications": "report_commands:cmd_report_identifications",
    "preliminary": "report_commands:cmd_report_preliminary",
    "methods": "report_commands:cmd_report_methods",
}
APP = "app_command:cmd_app"  # plain `harvest`
GLOBAL_VALUED = ("--config", "--as-of", "--prices")  # the options before a command that take a value


def command_module(name: str) -> ModuleType:
    return importlib.import_module(f"tui.cli.{name}")


def command_named(arguments: Sequence[str]) -> str | None:
    """The command in `arguments` when it is certain: only the global options with values come
    before it. None otherwise (help, an abbreviation, an unknown word: the full parser decides)."""
    at = 0
    while at < len(arguments):
        argument = arguments[at]
        if argument in GLOBAL_VALUED:
            at += 2
        elif argument.startswith(tuple(f"{option}=" for option in GLOBAL_VALUED)):
            at += 1
        else:
            return argument if any(argument in names for _, names in PARSERS) else None
    return None


def build_parser(command: str | None = None) -> argparse.ArgumentParser:
    """The parser of every command, or of `command` only (from command_named): parsing that
    command's arguments gives the same namespace, usage lines and errors (the commands show in
    usage lines as COMMAND), without building the other ~40 parsers or importing their modules."""
    parser = argparse.ArgumentParser(
        prog="harvest",
        description="Crypto tax-loss harvesting in the terminal. Estimates for planning; not tax advice.\n\n"
        "`harvest` with no command opens the app on your store and config.",
        epilog="examples:\n  harvest demo                  the app on a bundled demo portfolio (offline)\n"
        "  harvest import trades.csv --account kraken\n  harvest scan --prices prices.csv\n\n"
        "`harvest COMMAND --help` describes a command, with an example.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--config", metavar="PATH", help="config file (else $HARVEST_CONFIG, else the user config dir)"
    )
    parser.add_argument("--as-of", metavar="DATE", help="treat DATE (YYYY-MM-DD, tax time zone) as today")
    parser.add_argument(
        "--prices",
        dest="app_prices",
        type=Path,
        metavar="FILE",
        help="for the app: current prices from this CSV (asset,price in USD), re-read when it changes "
        "(else prices.file, else the exchanges' or the store's)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for module, names in PARSERS:
        if command is None or command in names:
            command_module(module).add_parser(sub)
    _describe(sub)
    return parser


# one example per command (and report kind), shown by `harvest COMMAND --help`
EXAMPLES = {
    "import": "harvest import coinbase.csv --account coinbase",
    "assets": "harvest assets migrate MATIC POL --ratio 1 --at 2024-09-04",
    "report": "harvest report realized --year 2026 --format csv > realized.csv",
    "realized": "harvest report realized --year 2026 --format csv > realized.csv",
    "lots": "harvest report lots --prices prices.csv",
    "8949": "harvest report 8949 --year 2026 --format csv > form8949.csv",
    "identifications": "harvest report identifications --format json",
    "preliminary": "harvest report preliminary --format markdown > fall-report.md",
    "methods": "harvest report methods --year 2026",
    "tax": "harvest tax --year 2026",
    "scan": "harvest scan --prices prices.csv",
    "plan": "harvest plan --goal offset_gains --save",
    "checklist": "harvest checklist advance 1",
    "transition": "harvest transition propose --format csv > allocation.csv",
    "snapshot": "harvest transition snapshot --asset BTC",
    "propose": "harvest transition propose --rule hifo --accounts kraken,coinbase,ledger",
    "record": "harvest transition record --file allocation.csv --made-on 2025-02-15",
    "1099da": "harvest 1099da import coinbase-1099-da.csv --account coinbase",
    "reconcile": "harvest 1099da reconcile --year 2026",
    "review": "harvest review --prices prices.csv",
    "pair": "harvest review pair 3fa9c2 81d0e4 --reason 'my Kraken deposit'",
    "unpair": "harvest review unpair 3fa9c2 81d0e4 --reason 'two different moves'",
    "classify": "harvest review classify 81d0e4 income --value 1200.50",
    "own-address": "harvest review own-address bc1qexample --label cold",
    "ignore": "harvest review ignore 5be2aa --reason 'dust the exchange rounds away'",
    "undo": "harvest review undo 7",
    "sync": "harvest sync --account kraken",
    "prices": "harvest prices fill --file price-history.csv",
    "fill": "harvest prices fill --file price-history.csv",
    "list": "harvest prices list --format csv > filled-prices.csv",
    "watch": "harvest watch --once --format json",
    "demo": "harvest demo --lots 100000",
}
FORMAT_HELP = {
    "table": "table (aligned, to read)",
    "text": "text (lines, to read)",
    "csv": "csv (for spreadsheets)",
    "json": "json (for scripts)",
    "markdown": "markdown (to paste into notes)",
}


def _describe(sub: Subparsers) -> None:
    """Each command's help as its description, its example as the epilog, and `--format`
    explained wherever it is offered (choices vary by command)."""
    help_of = {action.dest: action.help for action in sub._choices_actions}
    for name, command in sub.choices.items():
        command.description = command.description or help_of.get(name)
        command.formatter_class = argparse.RawDescriptionHelpFormatter
        if name in EXAMPLES and not command.epilog:  # a parser may bring its own (`1099da import`)
            command.epilog = f"example:\n  {EXAMPLES[name]}"
        for action in command._actions:
            if action.dest == "format" and not action.help and action.choices:
                action.help = "output: " + ", ".join(FORMAT_HELP.get(str(c), str(c)) for c in action.choices)
            if isinstance(action, argparse._SubParsersAction):
                _describe(action)


# the options every command line has (build_parser's first three), as argparse leaves them unset
_UNSET_GLOBALS = {"config": None, "as_of": None, "app_prices": None}
# `harvest import FILE...`'s namespace besides its paths (import_command.add_parser's defaults)
_IMPORT_DEFAULTS = {
    "command": "import", "account": None, "import_format": None, "timezone": None, "address": None,
    "mapping": None, "dry_run": False, "opening_lots": None, "lots_as_of": None, "formats": False,
}  # fmt: skip


def quick_namespace(arguments: Sequence[str]) -> argparse.Namespace | None:
    """The namespace argparse gives the commonest command lines, without building a parser:
    `harvest import FILE...` (no option, no argument starting with `-`) and `harvest report
    realized [--format FORMAT]`. Building the command's parser and parsing costs ~5 ms of a
    command's start (argparse makes a help formatter for each argument it adds, importing shutil
    with bz2 and lzma for the terminal's width); None for every other line, which the parser reads
    (help, errors, abbreviations, every option). tests/cli/test_quick_namespace.py holds each
    line to the parser's namespace."""
    if len(arguments) >= 2 and arguments[0] == "import" and not any(a.startswith("-") for a in arguments[1:]):
        return argparse.Namespace(
            **_UNSET_GLOBALS, **_IMPORT_DEFAULTS, paths=[Path(a) for a in arguments[1:]]
        )
    if len(arguments) in (2, 4) and arguments[0] == "report" and arguments[1] == "realized":
        chosen = "table"
        if len(arguments) == 4:
            if arguments[2] != "--format" or arguments[3] not in FORMATS:
                return None
            chosen = arguments[3]
        return argparse.Namespace(
            **_UNSET_GLOBALS, command="report", report="realized", year=None, method=None, format=chosen
        )
    return None


def handler_for(args: argparse.Namespace) -> Handler:
    if args.command is None:  # plain `harvest`
        entry = APP
    elif args.command == "report":
        entry = REPORTS[args.report]
    else:
        entry = COMMANDS[args.command]
    module, name = entry.split(":")
    handler: Handler = getattr(command_module(module), name)
    return handler


def run(args: argparse.Namespace, out: TextIO) -> int:
    return handler_for(args)(args, out)


def main(argv: Sequence[str] | None = None) -> int:
    arguments = sys.argv[1:] if argv is None else list(argv)
    for argument in arguments:
        try:
            argument.encode("utf-8")
        except UnicodeEncodeError:  # undecodable bytes, kept by Python as surrogates
            print(f"harvest: argument {os.fsencode(argument)!r} is not UTF-8 text", file=sys.stderr)
            return 2
    args = quick_namespace(arguments) or build_parser(command_named(arguments)).parse_args(arguments)
    if argv is None and args.command in quick_exit.COMMANDS:  # the `harvest` process itself
        quick_exit.arm()
    try:
        code = run(args, sys.stdout)
    except CsvImportError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        print(f"harvest: {exc.path}: nothing imported ({len(exc.problems)} problem(s))", file=sys.stderr)
        code = exc.exit_code
    except HarvestError as exc:
        print(f"harvest: {exc}", file=sys.stderr)
        code = exc.exit_code
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:
        # e.g. `harvest report realized | head`: not an error worth a traceback
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        code = 0
    if argv is None and args.command in quick_exit.COMMANDS:  # the `harvest` process itself, not a caller
        quick_exit.exit_now(code)
    return code


if __name__ == "__main__":
    sys.exit(main())
