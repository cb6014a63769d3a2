"""`harvest tax` shows the return's lines (Form 1040, Schedule D, the worksheet, Form 6251, Form
8960), and the savings the app shows for a harvest are `harvest tax` before the sale less
`harvest tax` after it — one model, AMT included."""

from __future__ import annotations

import json

from engine.api import Engine
from engine.config.load import load_config
from engine.core import fixedpoint as fp
from engine.planning.planner import Planner
from engine.store.store import open_store
from tests.cli.test_cli import home, run  # noqa: F401 (the fixture)
from tests.support import clock_at

PROFILE = """tax:
  timezone: America/New_York
  year: 2026
  ordinary_income: 300000
  taxable_interest: 20000
  other_capital_gains: {long_term: 600000}
"""
BUY = "timestamp,account,asset,side,quantity,price,fee,trade_id\n2026-03-02T15:00:00Z,kraken,BTC,buy,1,50000,0,K1\n"
SELL = "timestamp,account,asset,side,quantity,price,fee,trade_id\n2026-11-24T15:00:00Z,kraken,BTC,sell,1,40000,0,K2\n"


def tax_json(capsys, as_of: str) -> dict:  # noqa: ANN001
    code, out, err = run(capsys, "--as-of", as_of, "tax", "--format", "json")
    assert code == 0, err
    return json.loads(out)


def test_harvest_tax_shows_the_forms_lines(home, capsys):  # noqa: F811
    (home / "config.yaml").write_text(PROFILE)
    code, out, _ = run(capsys, "--as-of", "2026-11-24", "tax")
    assert code == 0
    for heading in ("Schedule D", "Form 1040", "Qualified Dividends and Capital Gain Tax Worksheet", "Form 6251",
                    "Form 8960"):  # fmt: skip
        assert f"\n{heading}\n" in out
    # 2026 single: AGI 920,000; the exemption is gone (90,100 - 50% x 420,000 < 0), so the AMT applies
    payload = tax_json(capsys, "2026-11-24")
    assert payload["adjusted_gross_income"] == "920000.00"
    assert payload["amt"] != "0.00"
    lines = {(x["form"], x["line"]): x["amount"] for x in payload["lines"]}
    assert lines[("Form 1040", "12")] == "16100.00"  # the 2026 standard deduction
    assert lines[("Form 6251", "5")] == "0.00"
    assert lines[("Form 8960", "1")] == "20000.00"


def test_the_apps_saving_is_harvest_tax_before_less_after(home, capsys):  # noqa: F811
    (home / "config.yaml").write_text(PROFILE)
    (home / "buy.csv").write_text(BUY)
    (home / "sell.csv").write_text(SELL)
    assert run(capsys, "import", str(home / "buy.csv"))[0] == 0
    before = tax_json(capsys, "2026-11-24")
    # what the app shows: the planner's candidate (Session.planner) at the sale's price
    engine = Engine(load_config(None), open_store(), clock_at("2026-11-24T12:00:00"))
    (candidate,), _ = Planner(engine).scan({"BTC": fp.parse("40000")})
    engine.store.close()
    assert run(capsys, "import", str(home / "sell.csv"))[0] == 0
    after = tax_json(capsys, "2026-11-25")
    saving = fp.parse(before["total_tax"]) - fp.parse(after["total_tax"])
    assert fp.fmt(candidate.savings_this_year) == fp.fmt(saving)
    assert before["amt"] != "0.00"  # the saving went through Form 6251


COLLECTIBLES_PROFILE = """tax:
  timezone: America/New_York
  year: 2025
  ordinary_income: 300000
  other_capital_gains: {long_term: 100000, collectibles: 50000}
"""
NFT_BUY = f"{BUY.splitlines()[0]}\n2024-03-01T15:00:00Z,wallet,PUNK#7,buy,1,30000,0,N1\n"
NFT_SELL = f"{BUY.splitlines()[0]}\n2025-11-24T15:00:00Z,wallet,PUNK#7,sell,1,10000,0,N2\n"


def test_a_collectible_nfts_saving_is_harvest_tax_before_less_after(home, capsys):  # noqa: F811
    """A long-term NFT (a collectible) losing 20,000 against a 50,000 28%-rate gain: the app's
    saving is 20,000 x 28% + NIIT 760 = 6,360 (as ordinary long-term loss it would show 3,760),
    and `harvest tax` after the sale says the same."""
    (home / "config.yaml").write_text(COLLECTIBLES_PROFILE)
    (home / "buy.csv").write_text(NFT_BUY)
    (home / "sell.csv").write_text(NFT_SELL)
    assert run(capsys, "import", str(home / "buy.csv"))[0] == 0
    before = tax_json(capsys, "2025-11-24")
    engine = Engine(load_config(None), open_store(), clock_at("2025-11-24T12:00:00"))
    (candidate,), _ = Planner(engine).scan({"PUNK#7": fp.parse("10000")})
    engine.store.close()
    assert run(capsys, "import", str(home / "sell.csv"))[0] == 0
    after = tax_json(capsys, "2025-11-25")
    lines = {(x["form"], x["line"]): x["amount"] for x in after["lines"]}
    assert lines[("28% Rate Gain Worksheet", "1")] == "30000.00"  # 50,000 less the NFT's 20,000
    saving = fp.parse(before["total_tax"]) - fp.parse(after["total_tax"])
    assert fp.fmt(saving) == "6360.00"
    assert fp.fmt(candidate.savings_this_year) == fp.fmt(saving)
