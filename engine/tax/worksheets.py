"""Form 1040 line 16 with gains or qualified dividends: the Qualified Dividends and Capital Gain
Tax Worksheet (2025 Form 1040 instructions, 25 lines) or, with 28%-rate gain, the Schedule D Tax
Worksheet (2025 Schedule D instructions, 47 lines; no Form 4952 election, no unrecaptured
section 1250 gain, so lines 3-5, 8 and 35-40 are zero). Line by line as printed, including
the last step's "smaller of" against the tax on all taxable income."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.tax.lines import Line, Sheet
from engine.tax.params import YearParams
from engine.tax.tables import tax_on

ZERO = Decimal(0)
RATE_15, RATE_20, RATE_28 = Decimal("0.15"), Decimal("0.20"), Decimal("0.28")


@dataclass(frozen=True)
class WorksheetResult:
    """The tax, and the lines Form 6251 Part III reads from whichever worksheet was used."""

    tax: Decimal
    preferential_gain: Decimal  # 6251 line 13: QDCGTW line 4 / SDTW line 13
    ordinary_part: Decimal  # 6251 line 20: QDCGTW line 5 / SDTW line 14
    taxed_at_ordinary: Decimal  # 6251 line 27: QDCGTW line 5 / SDTW line 21


@dataclass(frozen=True)
class WorksheetInputs:
    taxable_income: Decimal  # Form 1040 line 15
    qualified_dividends: Decimal  # line 3a
    schedule_d_gain: Decimal  # smaller of Schedule D line 15 or 16 (zero if either is a loss)
    rate_28_gain: Decimal  # Schedule D line 18
    status: str
    use_table: bool


def qualified_dividends_worksheet(i: WorksheetInputs, year: YearParams, lines: list[Line]) -> WorksheetResult:
    s = Sheet("Qualified Dividends and Capital Gain Tax Worksheet", lines)
    brackets = year.ordinary_brackets[i.status]
    l1 = s("1", "taxable income (Form 1040 line 15)", i.taxable_income)
    l2 = s("2", "qualified dividends (line 3a)", i.qualified_dividends)
    l3 = s("3", "smaller of Schedule D line 15 or 16", i.schedule_d_gain)
    l4 = s("4", "add lines 2 and 3", l2 + l3)
    l5 = s("5", "line 1 less line 4 (not below zero)", max(ZERO, l1 - l4))
    l6 = s("6", "0% rate limit", year.ltcg_zero_max[i.status])
    l7 = s("7", "smaller of line 1 or line 6", min(l1, l6))
    l8 = s("8", "smaller of line 5 or line 7", min(l5, l7))
    l9 = s("9", "line 7 less line 8: taxed at 0%", l7 - l8)
    l10 = s("10", "smaller of line 1 or line 4", min(l1, l4))
    l11 = s("11", "amount from line 9", l9)
    l12 = s("12", "line 10 less line 11", l10 - l11)
    l13 = s("13", "15% rate limit", year.ltcg_fifteen_max[i.status])
    l14 = s("14", "smaller of line 1 or line 13", min(l1, l13))
    l15 = s("15", "add lines 5 and 9", l5 + l9)
    l16 = s("16", "line 14 less line 15 (not below zero)", max(ZERO, l14 - l15))
    l17 = s("17", "smaller of line 12 or line 16", min(l12, l16))
    l18 = s("18", "line 17 x 15%", l17 * RATE_15)
    l19 = s("19", "add lines 9 and 17", l9 + l17)
    l20 = s("20", "line 10 less line 19", l10 - l19)
    l21 = s("21", "line 20 x 20%", l20 * RATE_20)
    l22 = s("22", "tax on line 5", tax_on(l5, brackets, i.use_table))
    l23 = s("23", "add lines 18, 21 and 22", l18 + l21 + l22)
    l24 = s("24", "tax on line 1", tax_on(l1, brackets, i.use_table))
    tax = s("25", "tax on all taxable income: smaller of line 23 or line 24", min(l23, l24))
    return WorksheetResult(tax, l4, l5, l5)


def schedule_d_tax_worksheet(i: WorksheetInputs, year: YearParams, lines: list[Line]) -> WorksheetResult:
    s = Sheet("Schedule D Tax Worksheet", lines)
    brackets = year.ordinary_brackets[i.status]
    l1 = s("1", "taxable income (Form 1040 line 15)", i.taxable_income)
    l2 = s("2", "qualified dividends (line 3a)", i.qualified_dividends)
    l6 = s("6", "line 2 less line 5 (no Form 4952 election)", l2)
    l7 = s("7", "smaller of Schedule D line 15 or 16", i.schedule_d_gain)
    l9 = s("9", "line 7 less line 8", l7)
    l10 = s("10", "add lines 6 and 9", l6 + l9)
    l11 = s("11", "Schedule D lines 18 and 19", i.rate_28_gain)
    l12 = s("12", "smaller of line 9 or line 11", min(l9, l11))
    l13 = s("13", "line 10 less line 12", l10 - l12)
    l14 = s("14", "line 1 less line 13 (not below zero)", max(ZERO, l1 - l13))
    l15 = s("15", "0% rate limit", year.ltcg_zero_max[i.status])
    l16 = s("16", "smaller of line 1 or line 15", min(l1, l15))
    l17 = s("17", "smaller of line 14 or line 16", min(l14, l16))
    l18 = s("18", "line 1 less line 10 (not below zero)", max(ZERO, l1 - l10))
    l19 = s("19", "smaller of line 1 or the top of the 24% bracket", min(l1, year.rate_24_max(i.status)))
    l20 = s("20", "smaller of line 14 or line 19", min(l14, l19))
    l21 = s("21", "larger of line 18 or line 20", max(l18, l20))
    l22 = s("22", "line 16 less line 17: taxed at 0%", l16 - l17)
    l31 = l34 = l43 = ZERO
    if l1 != l16:  # "If lines 1 and 16 are the same, skip lines 23 through 43"
        l23 = s("23", "smaller of line 1 or line 13", min(l1, l13))
        l24 = s("24", "amount from line 22", l22)
        l25 = s("25", "line 23 less line 24 (not below zero)", max(ZERO, l23 - l24))
        l26 = s("26", "15% rate limit", year.ltcg_fifteen_max[i.status])
        l27 = s("27", "smaller of line 1 or line 26", min(l1, l26))
        l28 = s("28", "add lines 21 and 22", l21 + l22)
        l29 = s("29", "line 27 less line 28 (not below zero)", max(ZERO, l27 - l28))
        l30 = s("30", "smaller of line 25 or line 29", min(l25, l29))
        l31 = s("31", "line 30 x 15%", l30 * RATE_15)
        l32 = s("32", "add lines 24 and 30", l24 + l30)
        if l1 != l32:  # "If lines 1 and 32 are the same, skip lines 33 through 43"
            l33 = s("33", "line 23 less line 32", l23 - l32)
            l34 = s("34", "line 33 x 20%", l33 * RATE_20)
            if i.rate_28_gain:  # Schedule D line 18 not zero: lines 41-43
                l41 = s("41", "add lines 21, 22, 30, 33 and 39", l21 + l22 + l30 + l33)
                l42 = s("42", "line 1 less line 41", l1 - l41)
                l43 = s("43", "line 42 x 28%", l42 * RATE_28)
    l44 = s("44", "tax on line 21", tax_on(l21, brackets, i.use_table))
    l45 = s("45", "add lines 31, 34, 40, 43 and 44", l31 + l34 + l43 + l44)
    l46 = s("46", "tax on line 1", tax_on(l1, brackets, i.use_table))
    tax = s("47", "tax on all taxable income: smaller of line 45 or line 46", min(l45, l46))
    return WorksheetResult(tax, l13, l14, l21)
