"""Form 8960: the net investment income tax, 3.8% of the smaller of net investment income or
MAGI over the threshold (IRC 1411). Investment income is all the profile enters: interest,
ordinary dividends, other investment income, and the Form 1040 line 7 capital result — a net
capital loss reduces the other investment income by up to the $3,000 ($1,500 mfs) it is allowed
(line 5a; Treas. Reg. 1.1411-4(d)(2)). No investment expenses (lines 9-11)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.tax.lines import Line, Sheet

ZERO = Decimal(0)


@dataclass(frozen=True)
class NiitInputs:
    taxable_interest: Decimal
    ordinary_dividends: Decimal
    other_investment_income: Decimal
    capital_result: Decimal  # Form 1040 line 7
    magi: Decimal
    threshold: Decimal
    rate: Decimal


def net_investment_income_tax(n: NiitInputs, lines: list[Line]) -> Decimal:
    s = Sheet("Form 8960", lines)
    l1 = s("1", "taxable interest", n.taxable_interest)
    l2 = s("2", "ordinary dividends", n.ordinary_dividends)
    l4 = s("4a-7", "other investment income", n.other_investment_income)
    l5 = s("5a", "net gain or loss from disposition of property (Form 1040 line 7)", n.capital_result)
    l8 = s("8", "total investment income", l1 + l2 + l4 + l5)
    l12 = s("12", "net investment income", l8)
    l13 = s("13", "modified adjusted gross income", n.magi)
    l14 = s("14", "threshold", n.threshold)
    l15 = s("15", "line 13 less line 14 (not below zero)", max(ZERO, l13 - l14))
    l16 = s("16", "smaller of line 12 or line 15", max(ZERO, min(l12, l15)))
    return s("17", "net investment income tax: line 16 x 3.8%", l16 * n.rate)
