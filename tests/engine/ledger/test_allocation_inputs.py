"""What the user types for an allocation, read in one place for the CLI and the app: a global
rule (engine.ledger.allocation.rule_from_text) and a record's dates (allocation_record.parse_day)."""

from __future__ import annotations

from datetime import date

import pytest

from engine.core.errors import InputError
from engine.ledger.allocation import Rule, rule_from_text
from engine.ledger.allocation_record import parse_day


def test_a_rule_names_its_order_and_accounts_once_each_in_turn():
    assert rule_from_text("lifo", " kraken, coinbase ,,kraken, ledger") == Rule(
        "lifo", ("kraken", "coinbase", "ledger")
    )
    with pytest.raises(ValueError, match="one of hifo, lofo, fifo, lifo, got 'newest'"):
        rule_from_text("newest", "kraken")
    with pytest.raises(ValueError, match="names the accounts"):
        rule_from_text("hifo", " , ")


def test_a_record_date_is_iso_or_blank():
    assert parse_day("2024-12-01", "x") == date(2024, 12, 1).toordinal()
    assert parse_day("  ", "x") is None
    assert parse_day(None, "x") is None
    with pytest.raises(InputError, match=r"^--made-on: expected a date YYYY-MM-DD, got '12/1/2024'$"):
        parse_day("12/1/2024", "--made-on")
