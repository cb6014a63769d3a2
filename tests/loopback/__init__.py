"""A small fake Binance, Kraken and Coinbase on 127.0.0.1 for driving real ccxt in tests."""

from tests.loopback.server import LoopbackExchange, ccxt_urls

__all__ = ["LoopbackExchange", "ccxt_urls"]
