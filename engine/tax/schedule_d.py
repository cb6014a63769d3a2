"""Schedule D (Form 1040): netting by term, the 28% Rate Gain Worksheet, the loss allowed on
Form 1040 line 7, and the Capital Loss Carryover Worksheet (2025 Schedule D instructions).

Collectibles (IRC 1(h)(4)-(5)) are long-term results taxed at up to 28%: the worksheet nets
collectibles gains and losses, then lets the long-term carryover and a net short-term loss reduce
them; other long-term losses reduce the 15/20% gain first."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from engine.tax.lines import Line, Sheet

ZERO = Decimal(0)


@dataclass(frozen=True)
class CapitalInputs:
    crypto_short_term: Decimal
    crypto_long_term: Decimal  # includes crypto_collectibles
    crypto_collectibles: Decimal  # the 28%-rate part of crypto_long_term (gain or loss)
    other_short_term: Decimal
    other_long_term: Decimal  # includes other_collectibles
    other_collectibles: Decimal
    carryforward_short_term: Decimal  # loss carried in, positive
    carryforward_long_term: Decimal


@dataclass(frozen=True)
class ScheduleD:
    net_short_term: Decimal  # line 7
    net_long_term: Decimal  # line 15
    combined: Decimal  # line 16
    rate_28_gain: Decimal  # line 18
    form_1040_line_7: Decimal  # the gain, or the loss allowed (line 21)


def schedule_d(capital: CapitalInputs, loss_limit: Decimal, lines: list[Line]) -> ScheduleD:
    sheet = Sheet("Schedule D", lines)
    sheet("1b-3", "short-term: crypto (Form 8949 Part I)", capital.crypto_short_term)
    sheet("1a-5", "short-term: other", capital.other_short_term)
    sheet("6", "short-term loss carryover", -capital.carryforward_short_term)
    net_st = sheet(
        "7",
        "net short-term gain or (loss)",
        capital.crypto_short_term + capital.other_short_term - capital.carryforward_short_term,
    )
    sheet("8b-10", "long-term: crypto (Form 8949 Part II)", capital.crypto_long_term)
    sheet("8a-13", "long-term: other", capital.other_long_term)
    sheet("14", "long-term loss carryover", -capital.carryforward_long_term)
    net_lt = sheet(
        "15",
        "net long-term gain or (loss)",
        capital.crypto_long_term + capital.other_long_term - capital.carryforward_long_term,
    )
    combined = sheet("16", "combine lines 7 and 15", net_st + net_lt)
    rate_28 = ZERO
    if net_lt > 0 and combined > 0:
        rate_28 = sheet("18", "28% rate gain (worksheet line 7)", _rate_28_gain(capital, net_st, lines))
    if combined < 0:
        line_7 = -sheet("21", "loss allowed: smaller of line 16 or the limit", min(-combined, loss_limit))
    else:
        line_7 = combined
    return ScheduleD(net_st, net_lt, combined, rate_28, line_7)


def _rate_28_gain(capital: CapitalInputs, net_st: Decimal, lines: list[Line]) -> Decimal:
    sheet = Sheet("28% Rate Gain Worksheet", lines)
    collectibles = sheet(
        "1",
        "collectibles gain or (loss), Form 8949 Part II",
        capital.crypto_collectibles + capital.other_collectibles,
    )
    carryover = sheet("5", "long-term loss carryover (Schedule D line 14)", -capital.carryforward_long_term)
    short_loss = sheet("6", "Schedule D line 7 if a loss", min(ZERO, net_st))
    return sheet(
        "7",
        "28% rate gain: combine lines 1-6 (not below zero)",
        max(ZERO, collectibles + carryover + short_loss),
    )


def carryover(
    schedule: ScheduleD, taxable_before_floor: Decimal, lines: list[Line]
) -> tuple[Decimal, Decimal]:
    """Next year's short- and long-term loss carryover (the Capital Loss Carryover Worksheet,
    filled from this year's return); shown only when line 16 is a loss."""
    sheet = Sheet("Capital Loss Carryover Worksheet", lines) if schedule.combined < 0 else _silent()
    line_1 = sheet("1", "taxable income before its zero floor (Form 1040 line 11 - 12)", taxable_before_floor)
    line_2 = sheet("2", "loss on Schedule D line 21, positive", max(ZERO, -schedule.form_1040_line_7))
    line_3 = sheet("3", "combine lines 1 and 2 (not below zero)", max(ZERO, line_1 + line_2))
    line_4 = sheet("4", "smaller of line 2 or line 3", min(line_2, line_3))
    line_5 = sheet("5", "Schedule D line 7 loss, positive", max(ZERO, -schedule.net_short_term))
    line_6 = sheet("6", "Schedule D line 15 gain", max(ZERO, schedule.net_long_term))
    line_7 = sheet("7", "add lines 4 and 6", line_4 + line_6)
    short = sheet("8", "short-term loss carryover", max(ZERO, line_5 - line_7))
    line_9 = sheet("9", "Schedule D line 15 loss, positive", max(ZERO, -schedule.net_long_term))
    line_10 = sheet("10", "Schedule D line 7 gain", max(ZERO, schedule.net_short_term))
    line_11 = sheet("11", "line 4 less line 5 (not below zero)", max(ZERO, line_4 - line_5))
    line_12 = sheet("12", "add lines 10 and 11", line_10 + line_11)
    long = sheet("13", "long-term loss carryover", max(ZERO, line_9 - line_12))
    return short, long


def _silent() -> Sheet:
    return Sheet("", [])
