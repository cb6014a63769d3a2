"""legs.usd_trade_leg, the import's shortcut for the commonest record, against legs_for: when it
answers, legs_for gives exactly one leg, of that kind and USD value, with no extras; when it does
not, the store builds the legs with legs_for as before."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core import fixedpoint as fp
from engine.core.units import Amount, EpochMicros
from engine.ledger.events import ALL_SIDES, Event
from engine.ledger.legs import ACQUIRE, DISPOSE, Leg, legs_for, usd_trade_leg

USD_SETS = (frozenset({"USD"}), frozenset({"USD", "USDC"}))
amounts = st.one_of(st.integers(0, 10**6), st.integers(1, 10**9).map(lambda v: v * 10**9))


@st.composite
def events(draw: st.DrawFn) -> Event:
    side = draw(st.sampled_from(("buy", "sell", "buy", "sell", *ALL_SIDES)))
    quote = draw(st.sampled_from(("USD", "USD", "USDC", "ETH")))
    price = draw(st.one_of(st.none(), amounts))
    return Event(
        "acct",
        "BTC",
        side,
        EpochMicros(1_700_000_000_000_000),
        Amount(draw(st.integers(1, 10**24))),
        price,
        Amount(draw(st.one_of(st.just(0), amounts))),
        quote,
        draw(st.sampled_from(("USD", "USD", "USDC", "BTC", "ETH"))),
        draw(st.one_of(st.none(), amounts)),
        draw(st.one_of(st.none(), amounts)),
        draw(st.sampled_from(("T1", None))),
        draw(st.sampled_from((None, "0xtx"))),
        None,
        None,
        draw(st.sampled_from((None, "other"))),
        draw(st.sampled_from((None, None, "L1:1"))),
        "f.csv",
        draw(st.one_of(st.none(), st.none(), amounts)),
        draw(st.one_of(st.none(), amounts)),
    )


@settings(max_examples=400)
@given(events(), st.sampled_from(USD_SETS))
def test_the_shortcut_is_the_one_leg_legs_for_gives(event, usd_assets):
    answer = usd_trade_leg(event, usd_assets)
    if answer is None:
        return
    kind, usd = answer
    ref = event.trade_id or "E7"
    assert legs_for(event, 7, usd_assets) == [Leg(0, event.account, event.asset, kind, event.timestamp,
                                                   event.quantity, usd, ref)]  # fmt: skip


def test_the_shortcut_answers_a_plain_usd_buy_and_sell_and_nothing_else():
    buy = Event(
        "a", "BTC", "buy", EpochMicros(0), Amount(2 * fp.SCALE), Amount(10 * fp.SCALE), Amount(fp.SCALE)
    )
    assert usd_trade_leg(buy) == (ACQUIRE, 21 * fp.SCALE)  # the fee adds to the basis
    assert usd_trade_leg(buy._replace(side="sell")) == (DISPOSE, 19 * fp.SCALE)  # ... comes off the proceeds
    assert usd_trade_leg(buy._replace(quote="USDC")) is None  # USDC is not a USD asset by default
    assert usd_trade_leg(buy._replace(quote="USDC"), frozenset({"USD", "USDC"})) == (ACQUIRE, 21 * fp.SCALE)
    for other in (
        buy._replace(side="income"),
        buy._replace(side="transfer_in", price=None),
        buy._replace(fee_asset="BTC"),  # a fee in crypto is a disposal of its own
        buy._replace(subtotal=Amount(20 * fp.SCALE)),  # an exact total is the value
        buy._replace(side="sell", lots="L1:1"),  # named lots ride on the leg
        buy._replace(quote="ETH"),
    ):
        assert usd_trade_leg(other) is None
