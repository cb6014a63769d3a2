"""US federal tax parameters per year: brackets, long-term breakpoints, standard deduction, AMT,
NIIT, loss limits.

Bundled for 2025 and 2026 (engine/tax/data/us_tax_params.yaml, with sources); `tax.params_file`
may point at a file of the same format for other years. All figures become exact Decimals."""

from __future__ import annotations

from dataclasses import dataclass, replace
from decimal import Decimal
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import yaml

from engine.core.errors import TaxParamsError

FILING_STATUSES = ("single", "mfj", "mfs", "hoh")


@dataclass(frozen=True)
class YearParams:
    year: int
    sources: tuple[str, ...]
    ordinary_brackets: dict[str, tuple[tuple[Decimal, Decimal], ...]]  # status -> ((start, rate), ...)
    top_bracket_base_tax: dict[str, Decimal]
    ltcg_zero_max: dict[str, Decimal]
    ltcg_fifteen_max: dict[str, Decimal]
    standard_deduction: dict[str, Decimal]
    amt: AmtParams

    def rate_24_max(self, status: str) -> Decimal:
        """Where the ordinary rates pass 28% (the 32% bracket's start): the Schedule D Tax
        Worksheet's line 19 — 28%-rate gain below it is taxed at the lower ordinary rates."""
        return next(start for start, rate in self.ordinary_brackets[status] if rate > Decimal("0.28"))


@dataclass(frozen=True)
class AmtParams:
    """Form 6251: the exemption (line 5) less `phaseout_rate` of AMTI over `phaseout_start`,
    and the taxable excess over which 28% applies instead of 26% (line 18)."""

    exemption: dict[str, Decimal]
    phaseout_start: dict[str, Decimal]
    phaseout_rate: Decimal
    rate_28_over: dict[str, Decimal]


@dataclass(frozen=True)
class TaxParams:
    years: dict[int, YearParams]
    niit_rate: Decimal
    niit_threshold: dict[str, Decimal]
    capital_loss_limit: dict[str, Decimal]
    collectibles_max_rate: Decimal
    source: str

    def for_year(self, year: int) -> YearParams:
        found = self.years.get(year)
        if found is None:
            have = ", ".join(str(y) for y in sorted(self.years))
            raise TaxParamsError(
                f"no tax parameters for tax year {year} (have: {have}); set tax.params_file to a file with that year"
            )
        return found

    def extended_to(self, year: int) -> TaxParams:
        """These parameters with `year` borrowing the latest earlier year's figures, labelled
        as such (for planning past the bundled tables; never silently)."""
        if year in self.years:
            return self
        earlier = [y for y in self.years if y < year]
        if not earlier:
            return self
        base = self.years[max(earlier)]
        note = f"{year}: not published here; {base.year} figures used as an estimate"
        borrowed = replace(base, year=year, sources=(note, *base.sources))
        return replace(self, years={**self.years, year: borrowed})


def load_tax_params(path: Path | None = None) -> TaxParams:
    if path is None:
        return _bundled()
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise TaxParamsError(f"{path}: cannot read tax parameters: {exc.strerror or exc}") from None
    return parse_tax_params(text, str(path))


# The bundled file is read by libyaml's parser when PyYAML has it (the same values: the
# constructor is PyYAML's either way; tests/engine/tax/test_tax_params_loader.py): 2 ms against
# 15-25 ms of CPU on every start's first tax figure (the app's first frame, `harvest tax`). A
# user's params file keeps the pure-Python parser (what it accepts and its messages unchanged).
FAST_SAFE_LOADER: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@lru_cache(maxsize=1)
def _bundled() -> TaxParams:
    return parse_tax_params(bundled_text(), "bundled", FAST_SAFE_LOADER)


def bundled_text() -> str:
    return resources.files("engine.tax").joinpath("data", "us_tax_params.yaml").read_text(encoding="utf-8")


class _Reader:
    def __init__(self, label: str) -> None:
        self.label = label

    def fail(self, key: str, why: str) -> TaxParamsError:
        return TaxParamsError(f"{self.label}: {key}: {why}")

    def mapping(self, value: Any, key: str) -> dict[Any, Any]:
        if not isinstance(value, dict):
            raise self.fail(key, "expected a mapping")
        return value

    def number(self, value: Any, key: str) -> Decimal:
        if isinstance(value, bool) or not isinstance(value, int | float | str):
            raise self.fail(key, f"expected a number, got {value!r}")
        try:
            return Decimal(str(value))
        except ArithmeticError:
            raise self.fail(key, f"expected a number, got {value!r}") from None

    def per_status(self, value: Any, key: str) -> dict[str, Decimal]:
        table = self.mapping(value, key)
        missing = [s for s in FILING_STATUSES if s not in table]
        if missing:
            raise self.fail(key, f"missing filing status {missing[0]}")
        return {s: self.number(table[s], f"{key}.{s}") for s in FILING_STATUSES}


def _breakpoints(read: _Reader, ltcg: dict[Any, Any], key: str, name: str) -> dict[str, Decimal]:
    """One long-term breakpoint (`zero_rate_max`, `fifteen_rate_max`) per filing status."""
    return {
        s: read.number(
            read.mapping(ltcg.get(s), f"{key}.ltcg_breakpoints.{s}").get(name),
            f"{key}.ltcg_breakpoints.{s}.{name}",
        )
        for s in FILING_STATUSES
    }


def _amt(read: _Reader, raw: Any, key: str) -> AmtParams:
    amt = read.mapping(raw, key)
    return AmtParams(
        exemption=read.per_status(amt.get("exemption"), f"{key}.exemption"),
        phaseout_start=read.per_status(amt.get("phaseout_start"), f"{key}.phaseout_start"),
        phaseout_rate=read.number(amt.get("phaseout_rate"), f"{key}.phaseout_rate"),
        rate_28_over=read.per_status(amt.get("rate_28_over"), f"{key}.rate_28_over"),
    )


def parse_tax_params(text: str, label: str, loader: type[yaml.SafeLoader] = yaml.SafeLoader) -> TaxParams:
    read = _Reader(label)
    try:
        data = yaml.load(text, Loader=loader)  # noqa: S506 - a safe loader either way
    except yaml.YAMLError as exc:
        raise TaxParamsError(f"{label}: not valid YAML: {exc}") from None
    root = read.mapping(data, "(top)")
    years: dict[int, YearParams] = {}
    for year_key, raw in read.mapping(root.get("years"), "years").items():
        key = f"years.{year_key}"
        try:
            year = int(year_key)
        except (TypeError, ValueError):
            raise read.fail(key, "expected a year") from None
        entry = read.mapping(raw, key)
        brackets: dict[str, tuple[tuple[Decimal, Decimal], ...]] = {}
        table = read.mapping(entry.get("ordinary_brackets"), f"{key}.ordinary_brackets")
        for status in FILING_STATUSES:
            rows = table.get(status)
            where = f"{key}.ordinary_brackets.{status}"
            if (
                not isinstance(rows, list)
                or not rows
                or not all(isinstance(r, list) and len(r) == 2 for r in rows)
            ):
                raise read.fail(where, "expected a list of [threshold, rate] pairs")
            pairs = tuple((read.number(a, where), read.number(b, where)) for a, b in rows)
            if pairs[0][0] != 0 or any(pairs[i][0] >= pairs[i + 1][0] for i in range(len(pairs) - 1)):
                raise read.fail(where, "thresholds must start at 0 and increase")
            brackets[status] = pairs
        ltcg = read.mapping(entry.get("ltcg_breakpoints"), f"{key}.ltcg_breakpoints")
        years[year] = YearParams(
            year=year,
            sources=tuple(str(s) for s in entry.get("sources") or ()),
            ordinary_brackets=brackets,
            top_bracket_base_tax=read.per_status(
                entry.get("top_bracket_base_tax"), f"{key}.top_bracket_base_tax"
            ),
            ltcg_zero_max=_breakpoints(read, ltcg, key, "zero_rate_max"),
            ltcg_fifteen_max=_breakpoints(read, ltcg, key, "fifteen_rate_max"),
            standard_deduction=read.per_status(entry.get("standard_deduction"), f"{key}.standard_deduction"),
            amt=_amt(read, entry.get("amt"), f"{key}.amt"),
        )
    statutory = read.mapping(root.get("statutory"), "statutory")
    niit = read.mapping(statutory.get("niit"), "statutory.niit")
    return TaxParams(
        years=years,
        niit_rate=read.number(niit.get("rate"), "statutory.niit.rate"),
        niit_threshold=read.per_status(niit.get("magi_threshold"), "statutory.niit.magi_threshold"),
        capital_loss_limit=read.per_status(
            statutory.get("capital_loss_limit"), "statutory.capital_loss_limit"
        ),
        collectibles_max_rate=read.number(
            statutory.get("collectibles_max_rate", "0.28"), "statutory.collectibles_max_rate"
        ),
        source=label,
    )
