"""Which venue module syncs which ccxt exchange id; any other id gets the generic one. Adding an
exchange is a module in this package declaring its streams, and a line here."""

from __future__ import annotations

from engine.exchanges.streams import Venue
from engine.exchanges.venues import binance, binanceus, bitstamp, coinbase, gemini, generic, kraken

VENUES: dict[str, Venue] = {
    "binance": binance.VENUE,
    "binanceus": binanceus.VENUE,
    "bitstamp": bitstamp.VENUE,
    "coinbase": coinbase.VENUE,
    "gemini": gemini.VENUE,
    "kraken": kraken.VENUE,
}


def venue_for(exchange_id: str) -> Venue:
    return VENUES.get(exchange_id, generic.VENUE)
