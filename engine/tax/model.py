"""A year's US federal tax (plus a flat state rate on capital results), exactly, in Decimal, in
the terms of Form 1040 and the forms behind it, so every harvest saving is a difference of two
returns:

1. Schedule D nets the crypto and other results by term with the carryovers, the 28% Rate Gain
   Worksheet nets collectibles, and line 21 allows a net loss up to $3,000 ($1,500 mfs);
2. Form 1040: total income, AGI, the standard or itemized deduction, taxable income floored at
   zero — an unused deduction absorbs capital gains, as on the return;
3. line 16: the Qualified Dividends and Capital Gain Tax Worksheet or the Schedule D Tax
   Worksheet when there are qualified dividends or a net capital gain, else the Tax Table (under
   $100,000, unless `tax_table` is off) or the rate schedule (engine.tax.worksheets, .tables);
4. Form 6251 (AMT), Form 8960 (NIIT, on MAGI = AGI unless given);
5. the Capital Loss Carryover Worksheet for next year.
Not modelled: credits, the additional Medicare tax (Form 8959), the QBI deduction, unrecaptured
section 1250 gain, the foreign tax credit."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal, localcontext

from engine.tax.form6251 import AmtInputs, alternative_minimum_tax
from engine.tax.form8960 import NiitInputs, net_investment_income_tax
from engine.tax.lines import Line, Sheet, Unrecorded
from engine.tax.params import TaxParams
from engine.tax.schedule_d import CapitalInputs, carryover, schedule_d
from engine.tax.tables import tax_on
from engine.tax.worksheets import (
    WorksheetInputs,
    WorksheetResult,
    qualified_dividends_worksheet,
    schedule_d_tax_worksheet,
)

ZERO = Decimal(0)
ONE = Decimal(1)


@dataclass(frozen=True)
class TaxProfile:
    year: int
    filing_status: str
    # shorthand: ordinary taxable income after the deduction (stands for that plus the deduction
    # as ordinary income); zero when the Form 1040 fields below are used
    ordinary_taxable_income: Decimal = ZERO
    ordinary_income: Decimal = ZERO  # wages and other income that is not investment income
    taxable_interest: Decimal = ZERO  # line 2b
    ordinary_dividends: Decimal = ZERO  # line 3b, qualified ones included
    qualified_dividends: Decimal = ZERO  # line 3a
    other_investment_income: Decimal = ZERO  # rents, royalties...: ordinary income and NII
    itemized_deduction: Decimal | None = None  # None: the standard deduction for status and year
    itemized_taxes: Decimal = ZERO  # Schedule A line 7, added back for the AMT
    amt_adjustments: Decimal = ZERO  # Form 6251 lines 2b-3
    other_short_term: Decimal = ZERO  # stocks etc.; negative = loss
    other_long_term: Decimal = ZERO  # its 28%-rate part in other_collectibles
    other_collectibles: Decimal = ZERO
    carryforward_short_term: Decimal = ZERO  # loss carried in, as a positive amount
    carryforward_long_term: Decimal = ZERO
    magi: Decimal | None = None  # MAGI before capital results; None: AGI (Form 1040 line 11)
    niit: bool = True
    state_rate: Decimal = ZERO
    tax_table: bool = True  # the Tax Table under $100,000, as the return; False: exact rates
    # this year's crypto collectibles result (the 28%-rate part of the realized long-term), from
    # the ledger: NFTs unless marked otherwise, and assets marked collectible (engine.tax.profile)
    realized_collectibles: Decimal = ZERO


@dataclass(frozen=True)
class TaxResult:
    year: int
    filing_status: str
    realized_short_term: Decimal
    realized_long_term: Decimal
    realized_collectibles: Decimal
    net_short_term: Decimal  # Schedule D line 7
    net_long_term: Decimal  # line 15
    capital_result: Decimal  # Form 1040 line 7: the gain, or the loss allowed
    ordinary_income_offset: Decimal  # the loss allowed, positive
    carryforward_out_short_term: Decimal
    carryforward_out_long_term: Decimal
    adjusted_gross_income: Decimal
    deduction: Decimal
    taxable_income: Decimal
    regular_tax: Decimal  # line 16
    amt: Decimal  # Form 6251 line 11
    federal_income_tax: Decimal  # regular tax + AMT
    niit: Decimal
    state_tax: Decimal
    total_tax: Decimal
    marginal_short_term: Decimal
    marginal_long_term: Decimal
    lines: tuple[Line, ...]


@dataclass(frozen=True)
class _Return:
    schedule_st: Decimal
    schedule_lt: Decimal
    capital_result: Decimal
    carry: tuple[Decimal, Decimal]
    agi: Decimal
    deduction: Decimal
    taxable: Decimal
    regular: Decimal
    amt: Decimal
    niit: Decimal
    state: Decimal
    lines: tuple[Line, ...]

    @property
    def total(self) -> Decimal:
        return self.regular + self.amt + self.niit + self.state


def compute_tax(
    profile: TaxProfile,
    realized_short_term: Decimal,
    realized_long_term: Decimal,
    params: TaxParams,
) -> TaxResult:
    """The return for `profile` with this year's realized crypto results. Marginal rates are for
    one more dollar of gain, by the exact rates (the Tax Table's $50 steps would make them jump)."""
    st, lt, coll = realized_short_term, realized_long_term, profile.realized_collectibles
    with localcontext() as ctx:
        ctx.prec = 50
        base = _compute(profile, st, lt, coll, params)
        exact = replace(profile, tax_table=False)
        at = _compute(exact, st, lt, coll, params, Unrecorded()).total
        st_up = _compute(exact, st + ONE, lt, coll, params, Unrecorded()).total - at
        lt_up = _compute(exact, st, lt + ONE, coll, params, Unrecorded()).total - at
        total, federal = base.total, base.regular + base.amt  # sums past $10^10 need the 50 digits
    return TaxResult(
        year=profile.year,
        filing_status=profile.filing_status,
        realized_short_term=st,
        realized_long_term=lt,
        realized_collectibles=coll,
        net_short_term=base.schedule_st,
        net_long_term=base.schedule_lt,
        capital_result=base.capital_result,
        ordinary_income_offset=max(ZERO, -base.capital_result),
        carryforward_out_short_term=base.carry[0],
        carryforward_out_long_term=base.carry[1],
        adjusted_gross_income=base.agi,
        deduction=base.deduction,
        taxable_income=base.taxable,
        regular_tax=base.regular,
        amt=base.amt,
        federal_income_tax=federal,
        niit=base.niit,
        state_tax=base.state,
        total_tax=total,
        marginal_short_term=st_up,
        marginal_long_term=lt_up,
        lines=base.lines,
    )


def total_and_carryforward(
    profile: TaxProfile, realized_short_term: Decimal, realized_long_term: Decimal, params: TaxParams
) -> tuple[Decimal, Decimal, Decimal]:
    """compute_tax's total tax and short- and long-term carryforward out, without the three
    extra returns its marginal rates take: the harvest ranking asks this a hundred times a tick."""
    with localcontext() as ctx:
        ctx.prec = 50
        coll = profile.realized_collectibles
        base = _compute(profile, realized_short_term, realized_long_term, coll, params, Unrecorded())
        return base.total, base.carry[0], base.carry[1]


def _compute(
    p: TaxProfile, st: Decimal, lt: Decimal, coll: Decimal, params: TaxParams, lines: list[Line] | None = None
) -> _Return:
    """One return; its lines go to `lines` (a fresh list by default; none are kept in an Unrecorded)."""
    status, year = p.filing_status, params.for_year(p.year)
    lines = [] if lines is None else lines
    standard = p.itemized_deduction is None
    deduction = year.standard_deduction[status] if p.itemized_deduction is None else p.itemized_deduction
    capital = CapitalInputs(
        st, lt, coll, p.other_short_term, p.other_long_term, p.other_collectibles,
        p.carryforward_short_term, p.carryforward_long_term,
    )  # fmt: skip
    sched = schedule_d(capital, params.capital_loss_limit[status], lines)
    f = Sheet("Form 1040", lines)
    wages = p.ordinary_income + (p.ordinary_taxable_income + deduction if p.ordinary_taxable_income else ZERO)
    l1 = f("1z", "wages and other ordinary income", wages)
    l2b = f("2b", "taxable interest", p.taxable_interest)
    l3a = f("3a", "qualified dividends", p.qualified_dividends)
    l3b = f("3b", "ordinary dividends", p.ordinary_dividends)
    l7 = f("7", "capital gain or (loss) (Schedule D)", sched.form_1040_line_7)
    l8 = f("8", "other investment income (Schedule 1)", p.other_investment_income)
    agi = f("11", "adjusted gross income (lines 1z+2b+3b+7+8)", l1 + l2b + l3b + l7 + l8)
    l12 = f("12", "standard deduction" if standard else "itemized deductions", deduction)
    before_floor = agi - l12
    taxable = f("15", "taxable income (not below zero)", max(ZERO, before_floor))
    gain = (
        min(sched.net_long_term, sched.combined) if sched.net_long_term > 0 and sched.combined > 0 else ZERO
    )
    worksheet: WorksheetResult | None = None
    # run even when taxable income is zero (the return skips it then, tax zero either way):
    # Form 6251 line 13 needs it refigured for the AMT, or Part III loses its 0/15/20% rates
    if l3a > 0 or gain > 0:
        inputs = WorksheetInputs(
            taxable, min(l3a, max(ZERO, l3b)), gain, sched.rate_28_gain, status, p.tax_table
        )
        sheet = schedule_d_tax_worksheet if sched.rate_28_gain > 0 else qualified_dividends_worksheet
        worksheet = sheet(inputs, year, lines)
        regular = f("16", "tax (worksheet)", worksheet.tax)
    else:
        regular = f(
            "16",
            "tax (Tax Table or rate schedule)",
            tax_on(taxable, year.ordinary_brackets[status], p.tax_table),
        )
    added_back = deduction if standard else p.itemized_taxes
    amt = alternative_minimum_tax(
        AmtInputs(before_floor, added_back, p.amt_adjustments, regular, worksheet, status), year, lines
    )
    niit = ZERO
    if p.niit:
        magi = agi if p.magi is None else p.magi + l7
        niit = net_investment_income_tax(
            NiitInputs(l2b, l3b, l8, l7, magi, params.niit_threshold[status], params.niit_rate),
            lines,
        )
    # flat state rate on the capital result only (other income is the same either way); no -0
    state = p.state_rate * l7 if p.state_rate and l7 else ZERO
    carry = carryover(sched, before_floor, lines)
    total = Sheet("Total", lines)
    total("1040 16", "regular tax", regular)
    total("Sch 2 1", "alternative minimum tax", amt)
    total("Sch 2 12", "net investment income tax", niit)
    total("state", "state tax on the capital result", state)
    total("", "total", regular + amt + niit + state)
    return _Return(
        sched.net_short_term, sched.net_long_term, l7, carry, agi, deduction, taxable,
        regular, amt, niit, state, tuple(lines),
    )  # fmt: skip
