"""The warnings a candidate carries: turning long-term soon, NFTs, near worthless, the wash-sale
switch, and the year-end deadline."""

from __future__ import annotations

from datetime import date

from engine.core.dates import days_to_year_end
from engine.core.units import MICROS_PER_DAY, DayOrdinal
from engine.planning.positions import LotGroup
from engine.planning.scan_context import ScanContext


def is_nft(asset: str, config_nfts: frozenset[str] = frozenset()) -> bool:
    return asset in config_nfts or "#" in asset


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
    if context.year_end - context.now <= MICROS_PER_DAY:
        notes.append("within a day of the year-end deadline")
    return tuple(notes)


def _wash_in_force(effective_from: str | None, today: DayOrdinal) -> bool:
    return effective_from is None or date.fromisoformat(effective_from).toordinal() <= today
