"""From lots, prices and the tax profile to ranked candidates and a plan: the glue between
the lot engine, the tax model and the harvest ranking, with the warnings and the
data-quality gate each candidate carries."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal
from functools import lru_cache

import polars as pl

from engine.config.load import Config
from engine.core import fixedpoint as fp
from engine.core.dates import days_to_year_end
from engine.ledger.records import LotResult
from engine.planning.candidates import Blocked, Candidate, CostModel, TaxOutcome, rank_candidates
from engine.planning.plans import Plan, PlanStep, chosen_candidates, pick_lots
from engine.planning.positions import LotGroup, group_lots, price_groups, prices_frame
from engine.tax.model import TaxProfile, TaxResult, compute_tax
from engine.tax.params import TaxParams

WORTHLESS_FRACTION = Decimal("0.01")  # value under 1% of basis: "near worthless"


def tax_profile(config: Config, year: int, carryforward: tuple[Decimal, Decimal] | None = None) -> TaxProfile:
    tax = config.tax
    st_cf, lt_cf = (
        carryforward
        if carryforward is not None
        else (tax.carryforward_short_term, tax.carryforward_long_term)
    )
    return TaxProfile(
        year=year,
        filing_status=tax.filing_status,
        ordinary_taxable_income=tax.ordinary_taxable_income,
        other_short_term=tax.other_short_term,
        other_long_term=tax.other_long_term,
        carryforward_short_term=st_cf,
        carryforward_long_term=lt_cf,
        magi=tax.magi,
        niit=tax.niit,
        state_rate=tax.state_rate,
    )


def tax_function(
    profile: TaxProfile, params: TaxParams, realized_st: int, realized_lt: int
) -> Callable[[int, int], TaxOutcome]:
    """Tax with extra harvested ST/LT losses (positive fixed-point amounts), memoised."""
    st, lt = fp.to_decimal(realized_st), fp.to_decimal(realized_lt)

    @lru_cache(maxsize=4096)
    def outcome(extra_st: int, extra_lt: int) -> TaxOutcome:
        result = compute_tax(profile, st - fp.to_decimal(extra_st), lt - fp.to_decimal(extra_lt), params)
        carry = result.carryforward_out_short_term + result.carryforward_out_long_term
        return TaxOutcome(fp.from_decimal(fp.quantize(result.total_tax)), fp.from_decimal(fp.quantize(carry)))

    return outcome


@dataclass
class ScanContext:
    """Everything a scan needs besides prices (rebuilt on the slow path only)."""

    config: Config
    lots: LotResult
    frame: pl.DataFrame  # open lots with their terms as of `today` (positions.with_terms)
    totals: list[tuple[str, str, int, int, int, int]]  # per position: quantity, lots, basis, unknown
    today: int
    now: int
    year_end: int  # epoch micros of Jan 1 next year in the tax zone
    tax_result: TaxResult
    realized: tuple[int, int]
    profile: TaxProfile
    params: TaxParams
    quality: dict[tuple[str, str], list[str]] = field(default_factory=dict)
    recent_buys: dict[str, int] = field(default_factory=dict)  # asset -> last acquisition day


def quality_problems(
    lots: LotResult,
    excluded_pools: set[tuple[str, str]],
    mismatches: Sequence[tuple[str, str, int, int]] = (),
) -> dict[tuple[str, str], list[str]]:
    """Per account/asset: why no advice can be given (unknown basis, missing history, ...)."""
    problems: dict[tuple[str, str], list[str]] = {}
    for lot in lots.open_lots:
        if lot.basis is None:
            problems.setdefault((lot.account, lot.asset), []).append(f"unknown basis (lot {lot.lot_id})")
    for gap in lots.shortfalls:
        problems.setdefault((gap.account, gap.asset), []).append(
            f"missing history: sold {fp.fmt(gap.quantity, 0)} more than held ({gap.sale_id})"
        )
    for pool in excluded_pools:
        problems.setdefault(pool, []).append("a trade has no USD value")
    for account, asset, ledger, exchange in mismatches:
        problems.setdefault((account, asset), []).append(
            f"balance mismatch: exchange reports {fp.fmt(exchange, 0)}, ledger has {fp.fmt(ledger, 0)}"
        )
    for account, asset, ledger, exchange in mismatches:
        problems.setdefault((account, asset), []).append(
            f"balance mismatch: exchange reports {fp.fmt(exchange, 0)}, ledger has {fp.fmt(ledger, 0)}"
        )
    return {pool: sorted(set(reasons)) for pool, reasons in problems.items()}


def is_nft(asset: str, config_nfts: frozenset[str] = frozenset()) -> bool:
    return asset in config_nfts or "#" in asset


@dataclass
class Tick:
    """One recompute at one set of prices."""

    candidates: list[Candidate]
    blocked: list[Blocked]
    groups: list[LotGroup]  # every priced group, under water or not (holdings use them)


def scan(context: ScanContext, prices: dict[str, int], with_lot_ids: bool = False) -> Tick:
    """The hot path: one polars pass over the open lots, then the tax model per group."""
    config = context.config
    price_frame = prices_frame(prices)
    groups = price_groups(context.frame, price_frame)
    min_loss = fp.from_decimal(config.harvest.min_loss)
    blocked: dict[tuple[str, str], list[str]] = {pool: list(r) for pool, r in context.quality.items()}
    for account, asset, *_rest in context.totals:
        if asset not in prices:
            blocked.setdefault((account, asset), []).append("no current price")
    eligible = [
        g
        for g in groups
        if g.under_water and (g.account, g.asset) not in blocked and g.basis - g.value > min_loss
    ]
    if with_lot_ids:
        eligible = [replace(g, lot_ids=_lot_ids(context, price_frame, g)) for g in eligible]
    tax = tax_function(context.profile, context.params, *context.realized)
    costs = CostModel(config.harvest.fee_rate, config.harvest.spread)
    candidates = rank_candidates(
        eligible,
        tax,
        costs,
        context.tax_result.marginal_long_term,
        lambda group: warnings_for(context, group),
        lambda group: 1 if is_nft(group.asset) else 2,
    )
    candidates.sort(key=lambda c: c.rank)
    return Tick(
        candidates, [Blocked(a, s, tuple(sorted(set(r)))) for (a, s), r in sorted(blocked.items())], groups
    )


def _lot_ids(context: ScanContext, price_frame: pl.DataFrame, group: LotGroup) -> tuple[str, ...]:
    lots = group_lots(context.frame, price_frame, group.account, group.asset, group.long_term)
    return tuple(lots.get_column("lot_id").to_list())


def warnings_for(context: ScanContext, group: LotGroup) -> tuple[str, ...]:
    harvest = context.config.harvest
    notes: list[str] = []
    if not group.long_term and group.min_days_to_long_term <= harvest.near_long_term_days:
        notes.append(f"turns long-term in {group.min_days_to_long_term}d")
    if is_nft(group.asset):
        notes.append("nft: no rebuy; may be illiquid")
    if group.value * 100 < group.basis:  # value under 1% of basis
        notes.append("near worthless: needs an actual sale to an unrelated buyer")
    wash = harvest.wash_sale
    if wash.enabled and _wash_in_force(wash.effective_from, context.today):
        last_buy = context.recent_buys.get(group.asset)
        if last_buy is not None and context.today - last_buy <= wash.window_days:
            notes.append(f"wash sale: bought {context.today - last_buy}d ago; loss disallowed")
    days_left = days_to_year_end(context.today, context.profile.year)
    if days_left <= harvest.deadline_warn_days:
        notes.append(f"{days_left}d to Dec 31")
    if context.year_end - context.now <= 86_400_000_000:
        notes.append("within a day of the year-end deadline")
    return tuple(notes)


def _wash_in_force(effective_from: str | None, today: int) -> bool:
    return effective_from is None or date.fromisoformat(effective_from).toordinal() <= today


def build_plan(
    context: ScanContext, candidates: list[Candidate], prices: dict[str, int], goal: str, target: int | None
) -> Plan:
    """Steps for the chosen candidates, each re-valued along the plan (exact marginal savings
    even when the last candidate is only partly sold)."""
    if goal == "offset_gains":
        target = offset_target(context)
    plan = Plan(goal, target_loss=target)
    price_frame = prices_frame(prices)
    tax = tax_function(context.profile, context.params, *context.realized)
    costs = CostModel(context.config.harvest.fee_rate, context.config.harvest.spread)
    chosen_st = chosen_lt = 0
    before = tax(0, 0)
    for number, (candidate, take_loss) in enumerate(chosen_candidates(candidates, goal, target), start=1):
        long_term = candidate.term == "long"
        lots_frame = group_lots(context.frame, price_frame, candidate.account, candidate.asset, long_term)
        lots = list(lots_frame.select("lot_id", "quantity", "basis", "acquired_day").iter_rows())
        price = prices[candidate.asset]
        picks = pick_lots(lots, price, take_loss)
        quantity = sum(p.quantity for p in picks)
        basis = sum(p.cost_basis for p in picks)
        proceeds = fp.mul(quantity, price)
        loss = basis - proceeds
        if long_term:
            chosen_lt += loss
        else:
            chosen_st += loss
        after = tax(chosen_st, chosen_lt)
        nft = is_nft(candidate.asset)
        rebuy_after = None if nft else context.now + _rebuy_wait_hours(context.config) * 3_600_000_000
        plan.steps.append(
            PlanStep(
                number, candidate.account, candidate.asset, candidate.term, quantity, picks, proceeds, basis,
                before.total_tax - after.total_tax, after.carryforward - before.carryforward,
                costs.cost(proceeds, 1 if nft else 2), candidate.warnings, rebuy_after,
            )
        )  # fmt: skip
        before = after
    return plan


def _rebuy_wait_hours(config: Config) -> int:
    wash = config.harvest.wash_sale
    if wash.enabled:
        return max(config.harvest.rebuy_wait_hours, (wash.window_days + 1) * 24)
    return config.harvest.rebuy_wait_hours


def offset_target(context: ScanContext) -> int:
    """Loss that cancels this year's net gains and uses the ordinary-income limit."""
    result = context.tax_result
    gains = result.net_short_term + result.net_long_term
    limit = context.params.capital_loss_limit[context.profile.filing_status]
    return max(0, fp.from_decimal(fp.quantize(gains + limit)))
