"""The lines of the forms a tax figure uses, in order, so `harvest tax` can show its working."""

from __future__ import annotations

from decimal import Decimal
from typing import NamedTuple


class Line(NamedTuple):
    """One line of a form. (A NamedTuple: a return records ~60 of them and the harvest ranking
    computes returns a hundred times a tick — a frozen dataclass's init was a third of that.)"""

    form: str  # "Form 1040", "Schedule D", "Form 6251", ...
    number: str  # the line number as printed: "15", "3a"
    label: str
    amount: Decimal


class Unrecorded(list[Line]):
    """Lines for a return whose working nobody reads (a marginal rate's, the harvest ranking's):
    a Sheet given one computes the same figures and records nothing."""


class Sheet:
    """Records lines of one form as they are computed; `sheet("15", "taxable income", x)` is x."""

    def __init__(self, form: str, lines: list[Line]) -> None:
        self.form = form
        self.lines = lines
        self.recording = not isinstance(lines, Unrecorded)

    def __call__(self, number: str, label: str, amount: Decimal) -> Decimal:
        if self.recording:
            self.lines.append(Line(self.form, number, label, amount))
        return amount
