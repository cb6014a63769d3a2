"""Tax on an amount of ordinary taxable income: the rate schedule exactly (the Tax Computation
Worksheet), or the Tax Table a return must use below $100,000.

The Tax Table (Form 1040 instructions, "2025 Tax Table") prints whole dollars per row of taxable
income: $5 and $10 rows below $25, $25 rows below $3,000, $50 rows from $3,000 to $100,000. Each
row's figure is the rate schedule's tax at the middle of the row, rounded to the whole dollar
(half a dollar up): e.g. single 2025, $45,000–45,050 → tax on $45,025 = $5,164.50 → $5,165."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

ZERO = Decimal(0)
TABLE_LIMIT = Decimal(100_000)  # "If line 15 is less than $100,000, you must use the Tax Table"
Brackets = tuple[tuple[Decimal, Decimal], ...]  # (taxable income over which a rate starts, rate)


def bracket_tax(income: Decimal, brackets: Brackets) -> Decimal:
    """Tax on `income` through progressive brackets, exactly (the Tax Computation Worksheet)."""
    tax = ZERO
    for index, (start, rate) in enumerate(brackets):
        if income <= start:
            break
        end = brackets[index + 1][0] if index + 1 < len(brackets) else income
        tax += (min(income, end) - start) * rate
    return tax


def table_row(income: Decimal) -> tuple[Decimal, Decimal]:
    """The Tax Table row holding `income`: (at least, but less than)."""
    for low, high in ((0, 5), (5, 15), (15, 25)):
        if income < high:
            return Decimal(low), Decimal(high)
    width = Decimal(25) if income < 3000 else Decimal(50)
    start: Decimal = (income // width) * width
    return start, start + width


def table_tax(income: Decimal, brackets: Brackets) -> Decimal:
    """The Tax Table's figure for `income` (under $100,000)."""
    low, high = table_row(income)
    return bracket_tax((low + high) / 2, brackets).quantize(Decimal(1), rounding=ROUND_HALF_UP)


def tax_on(income: Decimal, brackets: Brackets, use_table: bool) -> Decimal:
    """ "Figure the tax on the amount": the Tax Table under $100,000 (when `use_table`), else
    the rate schedule; nothing on zero or less."""
    if income <= 0:
        return ZERO
    if use_table and income < TABLE_LIMIT:
        return table_tax(income, brackets)
    return bracket_tax(income, brackets)
