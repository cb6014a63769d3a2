"""Form 6251 (2025 layout): alternative minimum taxable income, the exemption and its phase-out,
the 26/28% rates, and Part III's capital gain rates inside the AMT. The AMT is the tentative
minimum tax over the regular tax (line 11; Schedule 2 line 1). No foreign tax credit.

AMTI here is taxable income before its zero floor plus the standard deduction (or the itemized
state and local taxes, line 2a) plus the profile's other adjustments and preferences (lines
2b-3, e.g. incentive stock options). A married-filing-separately AMTI past the exemption's full
phase-out adds the lesser of the phase-out rate of the excess or the exemption (IRC 55(d)(2),
last sentence): for 2025, 25% of AMTI over $900,350 (Rev. Proc. 2024-40), at most $68,500 —
what OpenTaxSolver's 2025 line 4 also adds (tests/engine/tax/test_differential.py)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.tax.lines import Line, Sheet
from engine.tax.params import YearParams
from engine.tax.worksheets import RATE_15, RATE_20, WorksheetResult

ZERO = Decimal(0)
RATE_26 = Decimal("0.26")


@dataclass(frozen=True)
class AmtInputs:
    taxable_before_floor: Decimal  # Form 1040 line 11 less line 12 (line 1 of the form)
    deduction_added_back: Decimal  # line 2a: the standard deduction, or Schedule A line 7 taxes
    other_adjustments: Decimal  # lines 2b-3
    regular_tax: Decimal  # line 10: Form 1040 line 16
    worksheet: WorksheetResult | None  # None: no qualified dividends or net capital gain
    status: str


def alternative_minimum_tax(a: AmtInputs, year: YearParams, lines: list[Line]) -> Decimal:
    s = Sheet("Form 6251", lines)
    amt = year.amt
    l1 = s("1", "taxable income (before its zero floor)", a.taxable_before_floor)
    l2a = s("2a", "standard deduction or Schedule A taxes", a.deduction_added_back)
    other = (
        s("2b-3", "other adjustments and preferences", a.other_adjustments) if a.other_adjustments else ZERO
    )
    amti = l1 + l2a + other
    exemption, start, rate = amt.exemption[a.status], amt.phaseout_start[a.status], amt.phaseout_rate
    if a.status == "mfs":
        full_phaseout = start + exemption / rate
        amti += min(rate * max(ZERO, amti - full_phaseout), exemption)
    l4 = s("4", "alternative minimum taxable income", amti)
    l5 = s("5", "exemption less phase-out", max(ZERO, exemption - rate * max(ZERO, l4 - start)))
    l6 = s("6", "line 4 less line 5 (not below zero)", max(ZERO, l4 - l5))
    if l6 == 0:
        tentative = ZERO
    elif a.worksheet is None:
        tentative = s("7", "26%/28% of line 6", _rates_26_28(l6, amt.rate_28_over[a.status]))
    else:
        tentative = s("7", "Part III line 40", _part_iii(l6, a, year, lines))
    l9 = s("9", "tentative minimum tax", tentative)
    l10 = s("10", "regular tax (Form 1040 line 16)", a.regular_tax)
    return s("11", "AMT: line 9 less line 10 (not below zero)", max(ZERO, l9 - l10))


def _rates_26_28(amount: Decimal, rate_28_over: Decimal) -> Decimal:
    """26% up to the breakpoint, 28% above it (as printed: 28% less 2% of the breakpoint)."""
    if amount <= rate_28_over:
        return amount * RATE_26
    return amount * Decimal("0.28") - rate_28_over * Decimal("0.02")


def _part_iii(l12: Decimal, a: AmtInputs, year: YearParams, lines: list[Line]) -> Decimal:
    s = Sheet("Form 6251 Part III", lines)
    w = a.worksheet
    assert w is not None
    rate_28_over = year.amt.rate_28_over[a.status]
    l12 = s("12", "line 6", l12)
    l13 = s("13", "worksheet line 4 (QDCGTW) / line 13 (SDTW)", w.preferential_gain)
    l15 = s("15", "line 13 (no unrecaptured section 1250 gain)", l13)
    l16 = s("16", "smaller of line 12 or line 15", min(l12, l15))
    l17 = s("17", "line 12 less line 16", l12 - l16)
    l18 = s("18", "26%/28% of line 17", _rates_26_28(l17, rate_28_over))
    l19 = s("19", "0% rate limit", year.ltcg_zero_max[a.status])
    l20 = s("20", "worksheet line 5 (QDCGTW) / line 14 (SDTW)", max(ZERO, w.ordinary_part))
    l21 = s("21", "line 19 less line 20 (not below zero)", max(ZERO, l19 - l20))
    l22 = s("22", "smaller of line 12 or line 13", min(l12, l13))
    l23 = s("23", "smaller of line 21 or line 22: taxed at 0%", min(l21, l22))
    l24 = s("24", "line 22 less line 23", l22 - l23)
    l25 = s("25", "15% rate limit", year.ltcg_fifteen_max[a.status])
    l26 = s("26", "amount from line 21", l21)
    l27 = s("27", "worksheet line 5 (QDCGTW) / line 21 (SDTW)", max(ZERO, w.taxed_at_ordinary))
    l28 = s("28", "add lines 26 and 27", l26 + l27)
    l29 = s("29", "line 25 less line 28 (not below zero)", max(ZERO, l25 - l28))
    l30 = s("30", "smaller of line 24 or line 29", min(l24, l29))
    l31 = s("31", "line 30 x 15%", l30 * RATE_15)
    l32 = s("32", "add lines 23 and 30", l23 + l30)
    l33 = s("33", "line 22 less line 32", l22 - l32)
    l34 = s("34", "line 33 x 20%", l33 * RATE_20)
    l38 = s("38", "add lines 18, 31, 34 and 37", l18 + l31 + l34)
    l39 = s("39", "26%/28% of line 12", _rates_26_28(l12, rate_28_over))
    return s("40", "smaller of line 38 or line 39", min(l38, l39))
