"""US federal (plus flat state) tax on a year's capital results, exactly, in Decimal.

Order of the computation (IRC 1(h), 1211(b), 1212(b), 1222, 1411):
1. net ST = crypto ST + other ST - ST carryforward; net LT likewise;
2. cross-net: a net ST gain is ordinary income, a net LT gain (after any ST loss) is taxed at
   0/15/20% stacked on top of ordinary income; a net loss offsets ordinary income up to $3,000
   ($1,500 mfs) and the rest carries forward keeping its character, ST losses absorbing the
   deduction first (Schedule D Capital Loss Carryover Worksheet);
3. NIIT 3.8% on the lesser of net investment income and MAGI over the threshold;
4. state tax at a flat rate on the net gain included in income, less the deduction.
Simplifications, stated: the deduction is capped at ordinary taxable income (the worksheet's
"adjusted taxable income" cap in its simplest form); net investment income counts only these
capital results."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, localcontext

from engine.tax.params import TaxParams, YearParams

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class TaxProfile:
    year: int
    filing_status: str
    ordinary_taxable_income: Decimal  # taxable income without any capital gains or losses
    other_short_term: Decimal = ZERO  # stocks etc.; negative = loss
    other_long_term: Decimal = ZERO
    carryforward_short_term: Decimal = ZERO  # loss carried in, as a positive amount
    carryforward_long_term: Decimal = ZERO
    magi: Decimal | None = None  # MAGI before capital results; None: ordinary_taxable_income
    niit: bool = True
    state_rate: Decimal = ZERO


@dataclass(frozen=True)
class TaxResult:
    year: int
    filing_status: str
    realized_short_term: Decimal
    realized_long_term: Decimal
    net_short_term: Decimal
    net_long_term: Decimal
    short_term_gain_taxed_as_ordinary: Decimal
    net_capital_gain: Decimal  # long-term gain taxed at the preferential rates
    ordinary_income_offset: Decimal  # the deducted net loss (positive)
    carryforward_out_short_term: Decimal
    carryforward_out_long_term: Decimal
    taxable_income: Decimal
    ordinary_tax: Decimal
    ltcg_tax: Decimal
    federal_income_tax: Decimal
    niit: Decimal
    state_tax: Decimal
    total_tax: Decimal
    marginal_short_term: Decimal
    marginal_long_term: Decimal
    lines: tuple[tuple[str, Decimal], ...]


def bracket_tax(income: Decimal, brackets: tuple[tuple[Decimal, Decimal], ...]) -> Decimal:
    """Tax on `income` through progressive brackets ((start, rate), ...)."""
    tax = ZERO
    for index, (start, rate) in enumerate(brackets):
        if income <= start:
            break
        end = brackets[index + 1][0] if index + 1 < len(brackets) else income
        tax += (min(income, end) - start) * rate
    return tax


def ltcg_tax(ordinary_part: Decimal, gain: Decimal, zero_max: Decimal, fifteen_max: Decimal) -> Decimal:
    """0/15/20% on a long-term gain stacked above `ordinary_part` of taxable income."""
    top = ordinary_part + gain
    fifteen = max(ZERO, min(top, fifteen_max) - max(ordinary_part, zero_max))
    twenty = max(ZERO, top - max(ordinary_part, fifteen_max))
    return fifteen * Decimal("0.15") + twenty * Decimal("0.20")


def compute_tax(
    profile: TaxProfile, realized_short_term: Decimal, realized_long_term: Decimal, params: TaxParams
) -> TaxResult:
    with localcontext() as ctx:
        ctx.prec = 50
        base = _compute(profile, realized_short_term, realized_long_term, params)
        st_up = _compute(profile, realized_short_term + ONE, realized_long_term, params)
        lt_up = _compute(profile, realized_short_term, realized_long_term + ONE, params)
    return _result(
        profile, realized_short_term, realized_long_term, base, st_up[-1] - base[-1], lt_up[-1] - base[-1]
    )


def _compute(profile: TaxProfile, st_in: Decimal, lt_in: Decimal, params: TaxParams) -> tuple[Decimal, ...]:
    status = profile.filing_status
    year: YearParams = params.for_year(profile.year)
    net_st = st_in + profile.other_short_term - profile.carryforward_short_term
    net_lt = lt_in + profile.other_long_term - profile.carryforward_long_term
    combined = net_st + net_lt
    if combined >= 0:
        # a loss on one side only reduces the other side's gain
        st_ordinary = max(ZERO, min(net_st, combined))
        lt_pref = combined - st_ordinary
        deduction = ZERO
    else:
        st_ordinary = lt_pref = ZERO
        deduction = min(
            params.capital_loss_limit[status], -combined, max(ZERO, profile.ordinary_taxable_income)
        )
    st_loss, lt_loss = max(ZERO, -net_st), max(ZERO, -net_lt)
    carry_st = max(ZERO, st_loss - (deduction + max(ZERO, net_lt)))
    carry_lt = max(ZERO, lt_loss - (max(ZERO, net_st) + max(ZERO, deduction - st_loss)))
    ordinary_part = profile.ordinary_taxable_income + st_ordinary - deduction
    taxable = ordinary_part + lt_pref
    ordinary_tax = bracket_tax(ordinary_part, year.ordinary_brackets[status])
    pref_tax = ltcg_tax(ordinary_part, lt_pref, year.ltcg_zero_max[status], year.ltcg_fifteen_max[status])
    niit = ZERO
    if profile.niit:
        magi_base = profile.magi if profile.magi is not None else profile.ordinary_taxable_income
        magi = magi_base + st_ordinary + lt_pref - deduction
        investment_income = st_ordinary + lt_pref
        niit = params.niit_rate * max(ZERO, min(investment_income, magi - params.niit_threshold[status]))
    state = profile.state_rate * (st_ordinary + lt_pref - deduction)
    total = ordinary_tax + pref_tax + niit + state
    return (
        net_st,
        net_lt,
        st_ordinary,
        lt_pref,
        deduction,
        carry_st,
        carry_lt,
        taxable,
        ordinary_tax,
        pref_tax,
        niit,
        state,
        total,
    )


def _result(
    profile: TaxProfile, st_in: Decimal, lt_in: Decimal, v: tuple[Decimal, ...], m_st: Decimal, m_lt: Decimal
) -> TaxResult:
    (
        net_st,
        net_lt,
        st_ord,
        lt_pref,
        deduction,
        carry_st,
        carry_lt,
        taxable,
        ord_tax,
        pref_tax,
        niit,
        state,
        total,
    ) = v
    lines = (
        ("crypto short-term", st_in),
        ("crypto long-term", lt_in),
        ("other short-term", profile.other_short_term),
        ("other long-term", profile.other_long_term),
        ("carryforward in short-term", -profile.carryforward_short_term),
        ("carryforward in long-term", -profile.carryforward_long_term),
        ("net short-term", net_st),
        ("net long-term", net_lt),
        ("short-term gain taxed as ordinary", st_ord),
        ("long-term gain at 0/15/20%", lt_pref),
        ("loss deducted from ordinary income", deduction),
        ("ordinary taxable income (profile)", profile.ordinary_taxable_income),
        ("taxable income", taxable),
        ("tax on ordinary income", ord_tax),
        ("tax on long-term gain", pref_tax),
        ("NIIT", niit),
        ("state tax on capital results", state),
        ("total", total),
        ("carryforward out short-term", carry_st),
        ("carryforward out long-term", carry_lt),
    )
    return TaxResult(
        year=profile.year,
        filing_status=profile.filing_status,
        realized_short_term=st_in,
        realized_long_term=lt_in,
        net_short_term=net_st,
        net_long_term=net_lt,
        short_term_gain_taxed_as_ordinary=st_ord,
        net_capital_gain=lt_pref,
        ordinary_income_offset=deduction,
        carryforward_out_short_term=carry_st,
        carryforward_out_long_term=carry_lt,
        taxable_income=taxable,
        ordinary_tax=ord_tax,
        ltcg_tax=pref_tax,
        federal_income_tax=ord_tax + pref_tax,
        niit=niit,
        state_tax=state,
        total_tax=total,
        marginal_short_term=m_st,
        marginal_long_term=m_lt,
        lines=lines,
    )
