"""Bad prices files and arguments: one clear line naming the file, line and field; exit 2."""

from __future__ import annotations

import pytest

from tui.cli.main import main

LEDGER = "timestamp,account,asset,side,quantity,price,fee\n2026-01-05T15:00:00Z,k,SOL,buy,10,200,0\n"


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("HARVEST_HOME", str(tmp_path / "home"))
    (tmp_path / "config.yaml").write_text("tax:\n  timezone: UTC\n")
    monkeypatch.setenv("HARVEST_CONFIG", str(tmp_path / "config.yaml"))
    (tmp_path / "l.csv").write_text(LEDGER)
    assert main(["import", str(tmp_path / "l.csv")]) == 0
    return tmp_path


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("asset,price\nSOL,abc\n", ":2: price: not a number: 'abc'"),
        ("asset,price\nSOL,-3\n", ":2: price: must be zero or more, got -3"),
        ("asset,price\nSOL,1\nSOL,2\n", ":3: asset: SOL listed twice"),
        ("coin,usd\nSOL,1\n", ":1: header: expected exactly the columns asset,price"),
        ("asset,price\nSOL,1,2\n", ":2: row: expected 2 cells, got 3"),
        ("asset,price\n,1\n", ":2: asset: missing value"),
    ],
)
def test_bad_prices_files(home, capsys, content, message):
    prices = home / "p.csv"
    prices.write_text(content)
    code = main(["scan", "--prices", str(prices)])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == f"harvest: {prices}{message}"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["--as-of", "2026-02-30", "report", "lots"],
            "harvest: --as-of: expected a date YYYY-MM-DD, got '2026-02-30'",
        ),
        (
            ["plan", "--goal", "target", "--target", "-5", "--prices", "{p}"],
            "harvest: --target: must be a positive amount",
        ),
        (
            ["plan", "--goal", "target", "--target", "lots", "--prices", "{p}"],
            "harvest: --target: not a number: 'lots'",
        ),
        (["demo", "--lots", "-1", "--print"], "harvest: --lots: must be zero or more"),
        (
            ["checklist", "advance", "9"],
            "harvest: no step 9 in the saved plan (see `harvest checklist show`)",
        ),
        (
            ["sync"],
            "harvest: no exchange accounts configured (add `accounts:` to the config; see the README)",
        ),
        (
            ["report", "lots", "--prices", "/nonexistent/p.csv"],
            "harvest: /nonexistent/p.csv: cannot read prices file: No such file or directory",
        ),
    ],
)
def test_bad_arguments_are_one_line(home, capsys, argv, message):
    prices = home / "p.csv"
    prices.write_text("asset,price\nSOL,100\n")
    code = main([a.replace("{p}", str(prices)) for a in argv])
    err = capsys.readouterr().err
    assert code == 2
    assert err.strip() == message


def test_harvest_home_naming_a_file_is_one_clear_line(tmp_path, monkeypatch, capsys):
    home_file = tmp_path / "not-a-dir"
    home_file.write_text("")
    monkeypatch.setenv("HARVEST_HOME", str(home_file))
    assert main(["report", "lots"]) == 2
    assert capsys.readouterr().err == f"harvest: $HARVEST_HOME={home_file} names a file, not a directory\n"


@pytest.mark.parametrize("year", ["0", "-1", "10000", "99999999999999999999", "2008", "twenty"])
@pytest.mark.parametrize(
    "command",
    [["report", "realized"], ["report", "8949"], ["report", "methods"], ["report", "preliminary"], ["tax"]],
)
def test_a_year_out_of_range_is_an_argument_error_not_a_traceback(home, capsys, command, year):
    with pytest.raises(SystemExit) as exited:
        main([*command, "--year", year])
    assert exited.value.code == 2
    err = capsys.readouterr().err
    assert f"argument --year: expected a year from 2009 to 2100, got '{year}'" in err
    assert "Traceback" not in err


def test_arguments_that_are_not_utf8_are_one_line(home, capsys):
    undecodable = b"/tmp/\xff\xfe.csv".decode("utf-8", "surrogateescape")
    assert main(["import", undecodable]) == 2
    assert capsys.readouterr().err == "harvest: argument b'/tmp/\\xff\\xfe.csv' is not UTF-8 text\n"


def test_an_import_reusing_a_trade_id_with_other_values_warns(home, tmp_path, capsys):
    path = tmp_path / "a.csv"
    path.write_text(
        "timestamp,account,asset,side,quantity,price,fee,trade_id\n2026-01-01T00:00:00Z,k,BTC,buy,1,100,0,T1\n"
    )
    assert main(["import", str(path)]) == 0
    path.write_text(
        "timestamp,account,asset,side,quantity,price,fee,trade_id\n2026-01-01T00:00:00Z,k,BTC,buy,3,100,0,T1\n"
    )
    capsys.readouterr()
    assert main(["import", str(path)]) == 0
    assert capsys.readouterr().err == (
        "warning: 1 row(s) reuse a trade id the store holds with other values (kept as stored; check the source): T1\n"
    )
