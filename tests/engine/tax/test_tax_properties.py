"""Properties of the whole return (hypothesis): more income never lowers the tax, a harvested
loss never raises it, and the federal tax with the AMT is never below the regular tax."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal as D

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.tax.model import TaxProfile, compute_tax
from engine.tax.params import FILING_STATUSES, load_tax_params

PARAMS = load_tax_params()
dollars = st.integers(0, 1_500_000).map(D)
signed = st.integers(-400_000, 1_500_000).map(D)
INCOMES = ("ordinary_income", "taxable_interest", "ordinary_dividends", "other_investment_income")


@st.composite
def profiles(draw: st.DrawFn) -> TaxProfile:
    dividends = draw(st.integers(0, 300_000))
    return TaxProfile(
        draw(st.sampled_from([2025, 2026])),
        draw(st.sampled_from(FILING_STATUSES)),
        ordinary_income=draw(dollars),
        taxable_interest=draw(st.integers(0, 100_000).map(D)),
        ordinary_dividends=D(dividends),
        qualified_dividends=D(draw(st.integers(0, dividends))),
        other_investment_income=draw(st.integers(-50_000, 200_000).map(D)),
        other_long_term=draw(st.integers(-100_000, 300_000).map(D)),
        carryforward_short_term=draw(st.integers(0, 50_000).map(D)),
        itemized_deduction=draw(st.one_of(st.none(), st.integers(0, 100_000).map(D))),
        tax_table=draw(st.booleans()),
    )


@settings(max_examples=150, deadline=None)
@given(profiles(), signed, signed, st.sampled_from(INCOMES), st.integers(1, 200_000).map(D))
def test_more_income_of_any_kind_never_lowers_the_tax(profile, st_gain, lt_gain, field, more):
    base = compute_tax(profile, st_gain, lt_gain, PARAMS).total_tax
    raised = replace(profile, **{field: getattr(profile, field) + more})
    assert compute_tax(raised, st_gain, lt_gain, PARAMS).total_tax >= base
    assert compute_tax(profile, st_gain + more, lt_gain, PARAMS).total_tax >= base
    assert compute_tax(profile, st_gain, lt_gain + more, PARAMS).total_tax >= base


@settings(max_examples=150, deadline=None)
@given(profiles(), signed, signed, st.integers(0, 300_000).map(D), st.integers(0, 300_000).map(D))
def test_a_harvest_never_costs_tax(profile, st_gain, lt_gain, st_loss, lt_loss):
    before = compute_tax(profile, st_gain, lt_gain, PARAMS).total_tax
    after = compute_tax(profile, st_gain - st_loss, lt_gain - lt_loss, PARAMS).total_tax
    assert before - after >= 0


@settings(max_examples=150, deadline=None)
@given(profiles(), signed, signed)
def test_federal_tax_with_the_amt_is_at_least_the_regular_tax(profile, st_gain, lt_gain):
    r = compute_tax(profile, st_gain, lt_gain, PARAMS)
    assert r.amt >= 0
    assert r.federal_income_tax >= r.regular_tax
    tentative = next(x.amount for x in r.lines if x.form == "Form 6251" and x.number == "9")
    assert r.federal_income_tax == max(r.regular_tax, tentative)
