"""The units behind harvest's ints, as types mypy tells apart.

An int in the engine means one of a few things: a fixed-point amount (10**-18 of an asset or of
a US dollar: quantities, prices, USD values, rates), a time in epoch microseconds (trades, the
clock, the store), a time in epoch milliseconds (the exchange side: ccxt timestamps, sync
cursors), a time in epoch seconds (when a batch was imported), or a calendar date in the tax
zone as a proleptic ordinal (date.toordinal: holding periods, tax years). Mixing them up is
silent at runtime, so each is a NewType: passing micros where a day ordinal is expected is a
type error.

NewType costs nothing on the hot paths as an annotation; calling it (`Amount(x)`) is a function
call, so the million-row loops annotate their values, or use `cast` once at a boundary, rather
than wrapping every value. Arithmetic on these types gives back a plain int (a sum of amounts
is wrapped again where it becomes a record field)."""

from __future__ import annotations

from typing import NewType

Amount = NewType("Amount", int)
"""Fixed-point: units of 10**-18 of an asset or of USD (see engine.core.fixedpoint)."""

EpochMicros = NewType("EpochMicros", int)
"""A moment as microseconds since 1970-01-01T00:00Z: trade times, the clock, the store."""

EpochMillis = NewType("EpochMillis", int)
"""A moment as milliseconds since the epoch: what exchanges (ccxt) speak."""

EpochSeconds = NewType("EpochSeconds", int)
"""A moment as seconds since the epoch: when an import batch was stored."""

DayOrdinal = NewType("DayOrdinal", int)
"""A calendar date in the tax time zone as date.toordinal()."""

ZERO = Amount(0)

MICROS_PER_SECOND = 1_000_000
MICROS_PER_MINUTE = 60_000_000
MICROS_PER_HOUR = 3_600_000_000
MICROS_PER_DAY = 86_400_000_000


def millis_to_micros(millis: EpochMillis) -> EpochMicros:
    return EpochMicros(millis * 1000)


def micros_to_millis(micros: EpochMicros) -> EpochMillis:
    return EpochMillis(micros // 1000)


def seconds_to_micros(seconds: EpochSeconds) -> EpochMicros:
    return EpochMicros(seconds * MICROS_PER_SECOND)


def hours_after(moment: EpochMicros, hours: int) -> EpochMicros:
    return EpochMicros(moment + hours * MICROS_PER_HOUR)
