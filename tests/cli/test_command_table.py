"""The command table: every command and report kind the parser defines has a handler (and
nothing else does), every subcommand has its help text, and the fast paths stay light."""

from __future__ import annotations

import argparse
import os
import subprocess
import sys

from tests.support import ROOT
from tui.cli import app_command, report_commands, tax_commands
from tui.cli.main import COMMANDS, REPORTS, build_parser, command_module, handler_for, main


def subcommands(parser: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return dict(action.choices)


def helps(parser: argparse.ArgumentParser) -> dict[str, str | None]:
    (action,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
    return {choice.dest: choice.help for choice in action._choices_actions}


def test_every_command_and_report_kind_has_a_handler():
    commands = subcommands(build_parser())
    assert set(commands) == set(COMMANDS) | {"report"}
    assert set(subcommands(commands["report"])) == set(REPORTS)
    for name, entry in COMMANDS.items():
        module, function = entry.split(":")
        assert handler_for(argparse.Namespace(command=name)) is getattr(command_module(module), function)
    for kind, entry in REPORTS.items():
        module, function = entry.split(":")
        handler = handler_for(argparse.Namespace(command="report", report=kind))
        assert handler is getattr(command_module(module), function)
    assert (
        handler_for(argparse.Namespace(command="report", report="methods"))
        is report_commands.cmd_report_methods
    )
    assert handler_for(argparse.Namespace(command=None)) is app_command.cmd_app  # plain `harvest`


def test_commands_keep_their_order_and_help():
    parser = build_parser()
    commands = subcommands(parser)
    assert list(commands) == [
        "import",
        "assets",
        "report",
        "tax",
        "scan",
        "plan",
        "checklist",
        "transition",
        "1099da",
        "review",
        "sync",
        "prices",
        "watch",
        "demo",
    ]
    assert list(subcommands(commands["report"])) == [
        "realized", "lots", "8949", "identifications", "preliminary", "methods",
    ]  # fmt: skip
    for owner in (
        parser,
        commands["report"],
        commands["checklist"],
        commands["assets"],
        commands["prices"],
        commands["review"],
    ):
        assert all(helps(owner).values()), helps(owner)


def test_import_and_report_paths_load_neither_polars_nor_ui_nor_ccxt(tmp_path):
    (tmp_path / "config.yaml").write_text("tax:\n  timezone: UTC\n")
    (tmp_path / "l.csv").write_text(
        "timestamp,account,asset,side,quantity,price,fee,trade_id\n"
        "2026-01-05T15:00:00Z,k,SOL,buy,10,200,0,T1\n2026-02-05T15:00:00Z,k,SOL,sell,5,100,0,T2\n"
    )
    (tmp_path / "p.csv").write_text("asset,price\nSOL,150\n")
    runs = [
        ["import", str(tmp_path / "l.csv")],
        ["report", "realized"],
        ["report", "lots", "--prices", str(tmp_path / "p.csv")],
        ["report", "8949", "--year", "2026"],
        ["report", "identifications"],
    ]
    probe = (
        "import sys\nfrom tui.cli.main import main\n"
        f"codes = [main(argv) for argv in {runs!r}]\n"
        "print(codes, ' '.join(sorted({name.split('.')[0] for name in sys.modules})))"
    )
    env = {
        **os.environ,
        "HARVEST_HOME": str(tmp_path / "home"),
        "HARVEST_CONFIG": str(tmp_path / "config.yaml"),
    }
    result = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, cwd=ROOT, env=env
    )
    last = result.stdout.splitlines()[-1]
    assert last.startswith("[0, 0, 0, 0, 0] ")
    assert not set(last.split()) & {"polars", "textual", "rich", "ccxt"}


def test_main_turns_errors_into_exit_codes(monkeypatch, capsys):
    from engine.core.errors import HarvestError

    def interrupted(args: argparse.Namespace, out: object) -> int:
        raise KeyboardInterrupt

    def failing(args: argparse.Namespace, out: object) -> int:
        raise HarvestError("it broke")

    monkeypatch.setattr(tax_commands, "cmd_tax", interrupted)
    assert main(["tax"]) == 130
    monkeypatch.setattr(tax_commands, "cmd_tax", failing)
    assert main(["tax"]) == 1
    assert capsys.readouterr().err == "harvest: it broke\n"


def test_sync_output_says_which_markets_were_read_and_what_is_pending():
    from engine.exchanges.sync import AccountReport
    from tui.cli.sync_command import account_lines

    report = AccountReport("binance", added=3, fetched=4, pending=1,
                           markets_scanned=[f"C{n}/USDT" for n in range(10)])  # fmt: skip
    assert account_lines(report) == (
        "binance: 3 new record(s) of 4 fetched\n"
        "  trades read from 10 market(s): C0/USDT, C1/USDT, C2/USDT, C3/USDT, C4/USDT, C5/USDT, C6/USDT, "
        "C7/USDT … and 2 more\n"
        "  1 transfer(s) still pending: read again by the next sync\n"
    )


def test_help_says_plain_harvest_opens_the_app_and_every_command_has_a_description_and_an_example():
    from tui.cli.main import build_parser

    parser = build_parser()
    assert "`harvest` with no command opens the app" in parser.format_help()

    def commands(p):
        for action in p._actions:
            if isinstance(action, argparse._SubParsersAction):
                for name, sub in action.choices.items():
                    yield name, sub
                    yield from commands(sub)

    checked = 0
    for name, sub in commands(parser):
        text = sub.format_help()
        if name in (
            "show",
            "advance",
            "skip",
            "cancel",
            "export",
        ):  # checklist actions: the checklist's example
            continue
        assert sub.description, name
        assert "example:\n  harvest " in text, name
        for action in sub._actions:
            if action.dest == "format":
                assert action.help, name  # every --format says what its choices are for
        checked += 1
    assert checked >= 15


def test_prices_read_from_a_file_are_stored_and_prices_file_serves_users_without_keys(
    tmp_path, monkeypatch, capsys
):
    from tui.cli.main import main

    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
    config = tmp_path / "config.yaml"
    config.write_text("tax: {timezone: UTC}\n")
    monkeypatch.setenv("HARVEST_CONFIG", str(config))
    ledger = tmp_path / "l.csv"
    ledger.write_text(
        "timestamp,account,asset,side,quantity,price,fee\n2026-01-05T15:00:00Z,k,SOL,buy,10,250,0\n"
    )
    assert main(["import", str(ledger)]) == 0
    prices = tmp_path / "p.csv"
    prices.write_text("asset,price\nSOL,100\n")
    assert main(["scan", "--prices", str(prices), "--format", "json"]) == 0
    capsys.readouterr()
    assert main(["scan", "--format", "json"]) == 0  # stored: no "no prices" any more
    assert '"value": "1000.00"' in capsys.readouterr().out
    prices.write_text("asset,price\nSOL,50\n")
    config.write_text(f"tax: {{timezone: UTC}}\nprices: {{file: {prices}}}\n")
    assert main(["scan", "--format", "json"]) == 0  # prices.file, read afresh
    assert '"value": "500.00"' in capsys.readouterr().out


def test_the_app_rereads_its_prices_file_when_it_changes(tmp_path):
    import os

    from engine.api import Engine
    from engine.config.load import Config, TaxConfig
    from engine.store.store import Store
    from tui.cli.app_command import file_prices_reader
    from tui.session import Session

    engine = Engine(Config(tax=TaxConfig(timezone="UTC")), Store(tmp_path / "s.sqlite3"))
    prices = tmp_path / "p.csv"
    prices.write_text("asset,price\nSOL,100\n")
    read = file_prices_reader(engine, prices, Session(engine))
    assert read()[0] == {"SOL": 100 * 10**18}
    prices.write_text("asset,price\nSOL,90\n")
    os.utime(prices, (1, 1))  # a different modification time: the file changed
    assert read()[0] == {"SOL": 90 * 10**18}
