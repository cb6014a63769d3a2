"""The tax model on worked examples (2026 figures, Rev. Proc. 2025-32); arithmetic in comments."""

from __future__ import annotations

from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core.errors import TaxParamsError
from engine.tax.model import TaxProfile, compute_tax
from engine.tax.params import FILING_STATUSES, load_tax_params, parse_tax_params
from engine.tax.tables import bracket_tax

PARAMS = load_tax_params()


def tax(st_gain: str, lt_gain: str, income: str = "100000", status: str = "single", **profile: object):
    """`income` is the shorthand ordinary taxable income; exact rates, as the comments work them."""
    p = TaxProfile(2026, status, D(income), **{"tax_table": False, **profile})  # type: ignore[arg-type]
    return compute_tax(p, D(st_gain), D(lt_gain), PARAMS)


@pytest.mark.parametrize("year", [2025, 2026])
@pytest.mark.parametrize("status", FILING_STATUSES)
def test_tax_at_the_start_of_the_37_percent_bracket_matches_the_revenue_procedure(year, status):
    params = PARAMS.for_year(year)
    brackets = params.ordinary_brackets[status]
    assert brackets[-1][1] == D("0.37")
    assert bracket_tax(brackets[-1][0], brackets) == params.top_bracket_base_tax[status]


def test_missing_year_and_user_file(tmp_path):
    with pytest.raises(TaxParamsError, match="no tax parameters for tax year 2031"):
        PARAMS.for_year(2031)
    bundled = tmp_path / "p.yaml"
    from importlib import resources

    text = resources.files("engine.tax").joinpath("data", "us_tax_params.yaml").read_text()
    bundled.write_text(text.replace("  2026:", "  2027:", 1))
    assert sorted(load_tax_params(bundled).years) == [2025, 2027]
    with pytest.raises(TaxParamsError, match="p.yaml: years.2027.ordinary_brackets.single: expected a list"):
        parse_tax_params(
            text.replace("single: [[0, 0.10], [12400", "single: 7 #", 1).replace("  2026:", "  2027:", 1),
            "p.yaml",
        )
    assert (
        PARAMS.extended_to(2027)
        .for_year(2027)
        .sources[0]
        .startswith("2027: not published here; 2026 figures")
    )


def test_single_short_term_gain_is_ordinary_income():
    r = tax("10000", "0")
    # 100,000 + 10,000 = 110,000: the extra 10,000 spans 22% (100,000 -> 105,700 = 5,700 x 0.22 =
    # 1,254) and 24% (4,300 x 0.24 = 1,032): 2,286 on top of tax(100,000) = 1,240 + 4,560 +
    # 0.22 x 49,600 (10,912) = 16,712
    assert r.federal_income_tax == D("18998")
    assert r.niit == 0


def test_long_term_gain_stacks_across_the_0_15_breakpoint():
    # single 2026: 0% up to 49,450 of taxable income. Income 40,000 + LT 20,000: 9,450 at 0%,
    # 10,550 at 15% = 1,582.50; ordinary tax on 40,000 = 1,240 + 0.12 x 27,600 = 4,552
    r = tax("0", "20000", income="40000")
    assert r.federal_income_tax == D("4552") + D("1582.50")


def test_long_term_gain_stacks_across_the_15_20_breakpoint():
    # single 2026: 20% above 545,500. Income 500,000 + LT 100,000: 45,500 at 15% = 6,825 and
    # 54,500 at 20% = 10,900 -> 17,725
    # ordinary tax on 500,000: 58,448 at 256,225 + 35% x 243,775 (85,321.25) = 143,769.25
    r = tax("0", "100000", income="500000", niit=False)
    assert r.federal_income_tax == D("143769.25") + D("17725")


def test_short_term_loss_against_long_term_gain():
    # ST -4,000 offsets LT 10,000: 6,000 of LT gain at 15% (income 100,000 is past 49,450)
    r = tax("-4000", "10000")
    assert (r.net_short_term, r.capital_result) == (D("-4000"), D("6000"))
    assert r.federal_income_tax == D("16712") + D("900")
    assert r.carryforward_out_short_term == r.carryforward_out_long_term == 0


def test_long_term_loss_against_short_term_gain():
    # LT -3,000 offsets ST 5,000: 2,000 of ST gain at the 22% margin = 440 over tax(100,000)
    r = tax("5000", "-3000")
    assert (r.net_long_term, r.capital_result) == (D("-3000"), D("2000"))
    assert r.federal_income_tax == D("16712") + D("440")


def test_net_loss_below_the_limit():
    # net -2,000: all of it deducted from ordinary income at 22%: 440 less tax, nothing carried
    r = tax("-2000", "0")
    assert r.ordinary_income_offset == D("2000")
    assert r.federal_income_tax == D("16712") - D("440")
    assert r.carryforward_out_short_term == 0


def test_net_loss_above_the_limit_carries_forward_short_term_first():
    # ST -10,000 and LT -2,000: 3,000 deducted (ST absorbs it); ST carryover 10,000 - 3,000 =
    # 7,000; LT carryover 2,000 - max(0, 3,000 - 10,000) = 2,000
    r = tax("-10000", "-2000")
    assert r.ordinary_income_offset == D("3000")
    assert (r.carryforward_out_short_term, r.carryforward_out_long_term) == (D("7000"), D("2000"))
    # LT loss larger: ST -1,000, LT -6,000: ST carryover 0; LT 6,000 - (3,000 - 1,000) = 4,000
    r = tax("-1000", "-6000")
    assert (r.carryforward_out_short_term, r.carryforward_out_long_term) == (0, D("4000"))


def test_married_filing_separately_limit_is_1500():
    r = tax("-5000", "0", status="mfs")
    assert r.ordinary_income_offset == D("1500")
    assert r.carryforward_out_short_term == D("3500")


@pytest.mark.parametrize(
    ("status", "income", "expected"),
    [
        # mfj 2026: 10% to 24,800, 12% to 100,800, 22% to 211,400: 2,480 + 9,120 + 0.22 x 49,200
        ("mfj", "150000", D("22424")),
        # hoh 2026: 10% to 17,700, 12% to 67,450, 22% to 105,700, 24% on 44,300:
        # 1,770 + 5,970 + 8,415 + 10,632
        ("hoh", "150000", D("26787")),
        # mfs matches single below 384,350: 1,240 + 4,560 + 12,166 + 0.24 x 44,300
        ("mfs", "150000", D("28598")),
        ("single", "150000", D("28598")),
    ],
)
def test_every_filing_status(status, income, expected):
    assert tax("0", "0", income=income, status=status).federal_income_tax == expected


def test_niit_on_and_off():
    # single: MAGI = AGI (Form 1040 line 11) = 180,000 taxable + the 16,100 standard deduction
    # + 50,000 LT = 246,100, 46,100 over 200,000: 3.8% x 46,100 = 1,751.80 (the old default,
    # taxable income as MAGI, started NIIT 16,100 too early: 1,140)
    r = tax("0", "50000", income="180000")
    assert r.niit == D("1751.800")
    assert tax("0", "50000", income="180000", niit=False).niit == 0
    # below the threshold: none
    assert tax("0", "10000", income="100000").niit == 0
    # NIIT base is the lesser: MAGI far above, gain 5,000: 190
    assert tax("5000", "0", income="400000").niit == D("190.000")


def test_state_rate_applies_to_net_gain_less_deduction():
    assert tax("10000", "0", state_rate=D("0.05")).state_tax == D("500.00")
    assert tax("-10000", "0", state_rate=D("0.05")).state_tax == D("-150.00")


def test_carryforward_in_reduces_gains_and_keeps_character():
    r = tax("1000", "8000", carryforward_short_term=D("5000"))
    # net ST 1,000 - 5,000 = -4,000 offsets LT 8,000: 4,000 LT at 15%
    assert r.capital_result == D("4000")
    assert r.federal_income_tax == D("16712") + D("600")


def test_three_year_carryforward_chain(tmp_path):
    # year 1: ST -20,000 -> deduct 3,000, carry 17,000 ST
    # year 2: LT +5,000 against 17,000 ST carried: net -12,000 -> deduct 3,000, carry 9,000 ST
    # year 3: ST +4,000 and LT +10,000, 9,000 ST carried: ST -5,000 offsets LT -> LT gain 5,000
    carry = (D(0), D(0))
    outs = []
    for st_gain, lt_gain in (("-20000", "0"), ("0", "5000"), ("4000", "10000")):
        r = tax(st_gain, lt_gain, carryforward_short_term=carry[0], carryforward_long_term=carry[1])
        carry = (r.carryforward_out_short_term, r.carryforward_out_long_term)
        outs.append((r.ordinary_income_offset, carry, max(D(0), r.capital_result)))
    assert outs == [
        (D("3000"), (D("17000"), D(0)), D(0)),
        (D("3000"), (D("9000"), D(0)), D(0)),
        (D(0), (D(0), D(0)), D("5000")),
    ]


def test_marginal_rates():
    r = tax("0", "0", income="150000")
    assert (r.marginal_short_term, r.marginal_long_term) == (D("0.24"), D("0.15"))
    # inside a net loss, one more dollar of gain only shrinks the carryforward
    r = tax("-20000", "0")
    assert (r.marginal_short_term, r.marginal_long_term) == (0, 0)


money = st.integers(-300_000, 300_000).map(D)


@settings(max_examples=200, deadline=None)
@given(money, money, st.integers(0, 800_000).map(D), st.sampled_from(FILING_STATUSES))
def test_more_gain_never_lowers_tax(st_gain, lt_gain, income, status):
    profile = TaxProfile(2026, status, income)
    base = compute_tax(profile, st_gain, lt_gain, PARAMS)
    assert compute_tax(profile, st_gain + 1000, lt_gain, PARAMS).total_tax >= base.total_tax
    assert compute_tax(profile, st_gain, lt_gain + 1000, PARAMS).total_tax >= base.total_tax
    assert base.carryforward_out_short_term >= 0
    assert base.carryforward_out_long_term >= 0
    if st_gain + lt_gain >= 0:
        assert base.carryforward_out_short_term == base.carryforward_out_long_term == 0
    # what is deducted plus what carries forward is the whole net loss (once taxable income
    # is large enough to use the deduction: the carryover worksheet's lines 1-4)
    if st_gain + lt_gain < 0 and income >= 3000:
        assert (
            base.ordinary_income_offset + base.carryforward_out_short_term + base.carryforward_out_long_term
            == -(st_gain + lt_gain)
        )


def test_the_largest_amounts_the_config_accepts_compute(tmp_path):
    """Income and gains at the config's limit ($10^15) go through the tax model and a scan
    (fixed-point aggregates past $10^10 once overflowed the 28-digit Decimal context)."""
    from decimal import Decimal

    from engine.config.model import MONEY_LIMIT
    from engine.planning.planner import Planner
    from tests.support import HEADER, engine_from_csv, usd

    engine = engine_from_csv(
        tmp_path,
        f"{HEADER}\n2026-01-05T15:00:00Z,kraken,BTC,buy,1000000,1000000000,0,T1\n",
        income=str(MONEY_LIMIT),
        other_long_term=MONEY_LIMIT,
    )
    planner = Planner(engine)
    summary = planner.tax_summary(2026)
    # 37% of the income (less the lower brackets' savings) plus 20% + 3.8% NIIT of the gain
    assert Decimal("6.07e14") < summary.result.total_tax < Decimal("6.08e14")
    candidates, _blocked = planner.scan({"BTC": usd("1")})
    assert candidates[0].loss == -usd("999999999000000")
