"""The Form 1099-DA field rules (engine.imports.form_1099da.parse_row): one home for a CSV row,
the app's entry dialog and `harvest 1099da add` (entry_row)."""

from __future__ import annotations

from datetime import date

import pytest

from engine.core import fixedpoint as fp
from engine.imports.form_1099da import FormEntryError, entry_row, parse_row

PAPER = {"account": "coinbase", "name": "Bitcoin", "units": "0.1", "acquired": "various",
         "sold": "5/1/2026", "proceeds": "$9,000.00", "basis": "", "term": "Long-term", "customer": "",
         "noncovered": "x", "reported": ""}  # fmt: skip


def test_an_entry_reads_its_boxes_as_a_csv_row_would():
    row = entry_row(PAPER)
    assert (row.account, row.asset, row.name) == ("coinbase", "BTC", "Bitcoin")  # box 1b's name -> BTC
    assert (row.units, row.proceeds, row.basis) == (fp.parse("0.1"), fp.parse("9000"), None)
    assert (row.acquired, row.sold) == (None, date(2026, 5, 1).toordinal())  # "various": no date
    assert (row.term, row.noncovered, row.basis_reported, row.customer_info) == ("long", True, False, False)
    problems: list[tuple[str, str]] = []
    assert parse_row(PAPER, lambda field, why: problems.append((field, why)), 7, None) == row._replace(line=7)
    assert problems == []


def test_without_box_2_basis_shown_for_a_covered_sale_counts_as_reported():
    given = {key: value for key, value in PAPER.items() if key != "reported"}
    assert entry_row({**given, "noncovered": "", "basis": "6000"}).basis_reported is True
    assert entry_row({**PAPER, "noncovered": "", "basis": "6000"}).basis_reported is False  # box 2 blank


@pytest.mark.parametrize(
    ("field", "text", "said"),
    [
        ("units", "0", "1c units: must be more than 0, got 0"),
        ("units", "abc", "1c units: not a number: 'abc'"),
        ("units", "1000000000000001", "1c units: over 1,000,000,000,000,000, more than any record can hold"),
        ("sold", "13/45/2026", "1e date sold: expected a date YYYY-MM-DD or M/D/YYYY, got '13/45/2026'"),
        ("sold", "", "1e date sold: missing value"),
        ("proceeds", "lots", "1f proceeds:"),
        ("term", "medium", "6 term: expected short, long or ordinary, got 'medium'"),
        ("noncovered", "maybe", "9 noncovered: expected X (checked) or blank, got 'maybe'"),
        ("checkbox", "GH", "Form 8949 box: expected a Form 8949 box G to L, got 'GH'"),
        ("account", "", "account: missing value"),
    ],
)
def test_a_bad_box_is_named(field: str, text: str, said: str):
    with pytest.raises(FormEntryError) as raised:
        entry_row({**PAPER, field: text})
    assert raised.value.field == field
    assert str(raised.value).startswith(said)


def test_the_first_bad_box_in_the_forms_order_is_named():
    with pytest.raises(FormEntryError) as raised:
        entry_row({**PAPER, "proceeds": "", "units": "", "account": ""})
    assert raised.value.field == "account"


def test_amounts_of_10_to_the_15_are_exact():
    row = entry_row({**PAPER, "units": "1000000000000000", "proceeds": "999999999999999.99",
                     "basis": "1,000,000,000,000,000.00", "moved": "1000000000000000"})  # fmt: skip
    assert row.units == 10**15 * fp.SCALE
    assert row.proceeds == 999_999_999_999_999_990_000_000_000_000_000
    assert row.basis == row.transferred_in == 10**33
