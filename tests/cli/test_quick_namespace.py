"""tui.cli.main.quick_namespace: the commonest command lines (`import FILE...`, `report realized
[--format F]`) get argparse's own namespace without a parser built; every other line is left to
the parser (None), so help, errors and every option stay argparse's."""

from __future__ import annotations

import pytest

from tui.cli import main as cli_main
from tui.cli.main import build_parser, command_named, quick_namespace

QUICK = [
    ["import", "a.csv"],
    ["import", "a.csv", "b/c.csv", "d e.csv"],
    ["import", ""],
    ["report", "realized"],
    ["report", "realized", "--format", "csv"],
    ["report", "realized", "--format", "table"],
    ["report", "realized", "--format", "json"],
]
PARSED = [
    ["import"],
    ["import", "-"],
    ["import", "a.csv", "--dry-run"],
    ["import", "--account", "kraken", "a.csv"],
    ["import", "a.csv", "-h"],
    ["import", "--formats"],
    ["report", "realized", "--format", "xml"],
    ["report", "realized", "--format=csv"],
    ["report", "realized", "--form", "csv"],
    ["report", "realized", "--year", "2026"],
    ["report", "realized", "csv", "--format"],
    ["report", "lots"],
    ["report"],
    ["--config", "x.yaml", "import", "a.csv"],
    ["--as-of", "2026-01-01", "report", "realized"],
    ["imp", "a.csv"],
    [],
]


@pytest.mark.parametrize("argv", QUICK, ids=" ".join)
def test_the_quick_namespace_is_the_parsers(argv: list[str]) -> None:
    quick = quick_namespace(argv)
    assert quick is not None
    assert vars(quick) == vars(build_parser().parse_args(argv))
    assert vars(quick) == vars(build_parser(command_named(argv)).parse_args(argv))


@pytest.mark.parametrize("argv", PARSED, ids=lambda argv: " ".join(argv) or "(none)")
def test_any_other_line_is_left_to_the_parser(argv: list[str]) -> None:
    assert quick_namespace(argv) is None


def test_a_quick_line_builds_no_parser(monkeypatch: pytest.MonkeyPatch, tmp_path, capsys) -> None:  # noqa: ANN001
    """Through main: the report runs with no parser built (an empty store's report)."""
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path))
    monkeypatch.setenv("HARVEST_CONFIG", str(tmp_path / "none.yaml"))
    (tmp_path / "none.yaml").write_text("tax:\n  timezone: UTC\n")

    def refused(command: str | None = None) -> None:
        raise AssertionError("a parser was built")

    monkeypatch.setattr(cli_main, "build_parser", refused)
    with pytest.raises(AssertionError, match="a parser was built"):
        cli_main.main(["report", "lots"])
    csv = tmp_path / "t.csv"
    csv.write_text("")
    cli_main.main(["import", str(csv)])  # (an empty file: refused by the import, not the parser)
    assert "nothing imported" in capsys.readouterr().err
