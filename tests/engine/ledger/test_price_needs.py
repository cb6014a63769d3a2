"""Which prices a record without a USD value needs, and the record valued with them: income, a
crypto-to-crypto trade (by what was received, else by what was given), a fee in a third asset,
a transfer's fee in the coin sent; and, for any record, every price found leaves no leg flagged
and a valued record is left as it is."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from engine.core import fixedpoint as fp
from engine.core.units import Amount, EpochMicros
from engine.ledger.events import Event
from engine.ledger.legs import ACQUIRE, DISPOSE, legs_for
from engine.ledger.price_needs import FEE, VALUE, Need, flags_of, needs, priced

USD_ONLY = frozenset({"USD"})
T = EpochMicros(1_717_257_600_000_000)


def units(text: str) -> Amount:
    return fp.parse(text)


def event(**fields: object) -> Event:
    base: dict[str, object] = dict(account="kraken", asset="SOL", side="income", timestamp=T,
                                   quantity=units("2"), price=None, fee=units("0"))  # fmt: skip
    return Event(**{**base, **fields})  # type: ignore[arg-type]


def test_income_without_a_price_needs_its_asset_and_is_valued_at_quantity_times_price():
    reward = event()
    assert needs(reward, USD_ONLY) == [Need(VALUE, ("SOL",))]
    (leg,) = legs_for(priced(reward, {"SOL": units("150")}, USD_ONLY), 1, USD_ONLY)
    assert (leg.kind, leg.usd, leg.flag) == (ACQUIRE, units("300"), None)


def test_a_crypto_trade_is_valued_by_what_was_received_else_by_what_was_given():
    buy = event(asset="ETH", side="buy", quantity=units("1"), price=units("0.05"), quote="BTC")
    assert needs(buy, USD_ONLY) == [Need(VALUE, ("ETH", "BTC"))]
    by_eth = legs_for(priced(buy, {"ETH": units("3000"), "BTC": units("70000")}, USD_ONLY), 1, USD_ONLY)
    assert [(leg.asset, leg.kind, leg.usd, leg.flag) for leg in by_eth] == [
        ("ETH", ACQUIRE, units("3000"), None),
        ("BTC", DISPOSE, units("3000"), None),
    ]
    by_btc = legs_for(priced(buy, {"BTC": units("70000")}, USD_ONLY), 1, USD_ONLY)
    assert [leg.usd for leg in by_btc] == [units("3500"), units("3500")]  # 0.05 BTC at 70,000


def test_a_fee_in_a_third_asset_needs_that_asset_and_goes_into_the_basis():
    buy = event(side="buy", price=units("100"), fee=units("0.01"), fee_asset="BNB")
    assert needs(buy, USD_ONLY) == [Need(FEE, ("BNB",))]
    legs = legs_for(priced(buy, {"BNB": units("600")}, USD_ONLY), 1, USD_ONLY)
    assert [(leg.asset, leg.kind, leg.usd, leg.flag) for leg in legs] == [
        ("SOL", ACQUIRE, units("206"), None),  # 200 + the 6 dollar fee
        ("BNB", DISPOSE, units("6"), None),
    ]


def test_a_transfers_fee_in_the_coin_sent_needs_that_coins_price():
    send = event(
        asset="BTC", side="transfer_out", quantity=units("0.5"), fee=units("0.0002"), fee_asset="BTC"
    )
    assert needs(send, USD_ONLY) == [Need(FEE, ("BTC",))]
    fee_leg = legs_for(priced(send, {"BTC": units("60000")}, USD_ONLY), 1, USD_ONLY)[-1]
    assert (fee_leg.kind, fee_leg.usd, fee_leg.flag) == (DISPOSE, units("12"), None)


def test_a_record_with_its_values_needs_nothing_and_a_missing_price_leaves_the_flag():
    assert needs(event(side="buy", price=units("100")), USD_ONLY) == []
    # a synced trade quoted in USDT where the account takes USDT as USD
    assert needs(event(side="buy", price=units("100"), quote="USDT"), frozenset({"USD", "USDT"})) == []
    reward = event()
    assert priced(reward, {"BTC": units("1")}, USD_ONLY) == reward
    assert flags_of(reward, USD_ONLY) == ["no USD price for SOL in USD"]


ASSETS = ("SOL", "BTC", "BNB", "USD")
amounts = st.integers(1, 10**6).map(lambda n: Amount(n * 10**15))


@st.composite
def records(draw: st.DrawFn) -> Event:
    side = draw(st.sampled_from(("buy", "sell", "spend", "income", "transfer_in", "transfer_out")))
    quote = draw(st.sampled_from(("USD", "BTC")))
    priced_in_quote = side in ("buy", "sell") and quote != "USD" or draw(st.booleans())
    fee = draw(st.sampled_from((0, 1))) * draw(amounts)
    transfer = "transfer" in side
    maybe = st.one_of(st.none(), amounts)
    return Event(
        "acct", "SOL", side, T, draw(amounts), draw(amounts) if priced_in_quote and not transfer else None,
        Amount(fee), quote if not transfer else "USD", draw(st.sampled_from(ASSETS)), draw(maybe), draw(maybe),
        subtotal=None if transfer else draw(maybe), value_usd=None if transfer else draw(maybe),
    )  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(records(), st.dictionaries(st.sampled_from(ASSETS[:3]), amounts, min_size=3))
def test_every_price_found_leaves_no_leg_flagged_and_a_valued_record_is_kept(record: Event, prices: dict):
    valued = priced(record, prices, USD_ONLY)
    assert flags_of(valued, USD_ONLY) == []
    if not needs(record, USD_ONLY):
        assert valued == record
    assert all(leg.usd for leg in legs_for(valued, 1, USD_ONLY) if leg.kind == ACQUIRE)  # never at zero
