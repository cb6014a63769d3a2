"""One canonical asset per coin: the well-known codes sources use for a coin that is not its
ticker, in one table. Importers and the exchange sync read codes through it, so Kraken's `XXBT`,
`XBT` and `BTC.M` and a Coinbase `BTC` are one asset, `BTC`.

Rules, in order:
- a staking / earn / bonded suffix names the coin itself (`DOT.S`, `DOT28.S`, `BTC.M`, `ETH.F`,
  `SOL.B`, `KSM.P`, `USD.HOLD`): moving into staking changes nothing taxable;
- a legacy code is its coin's ticker (`VARIANTS`: Kraken's X/Z-prefixed codes, `XBT`, `XDG`,
  pre-merge staked `ETH2`, `BCHABC`, `CGLD`, ...);
- on Binance, an `LD`-prefixed code is Simple Earn's receipt for the coin (`LDBTC` is BTC), and
  `BCC` was Bitcoin Cash (elsewhere it is another coin, so only there).

Not the same asset: wrapped and liquid-staking tokens (`WRAPPED`: WBTC, WETH, stETH, cbETH, ...)
are other tokens, and wrapping or unwrapping may be a disposal; they stay apart unless the user
aliases them. Coins that changed by a migration (MATIC -> POL) are not aliases either: they are
migrations with a date (`MIGRATED`), applied by a user's decision (engine.ledger.identity)."""

from __future__ import annotations

import re
from functools import cache
from typing import NamedTuple

# legacy and exchange-specific codes -> the coin's ticker
VARIANTS: dict[str, str] = {
    # Kraken: X-prefixed crypto and Z-prefixed fiat (its oldest markets), XBT (ISO 4217 style), XDG
    "XBT": "BTC", "XXBT": "BTC", "XETH": "ETH", "XLTC": "LTC", "XXRP": "XRP", "XXLM": "XLM", "XXMR": "XMR",
    "XZEC": "ZEC", "XETC": "ETC", "XMLN": "MLN", "XREP": "REP", "XXDG": "DOGE", "XDG": "DOGE",
    "ZUSD": "USD", "ZEUR": "EUR", "ZGBP": "GBP", "ZCAD": "CAD", "ZJPY": "JPY", "ZAUD": "AUD", "ZCHF": "CHF",
    # ETH staked before the merge (Kraken's ETH2 and ETH2.S, Coinbase's ETH2): redeemable 1:1 as ETH
    "ETH2": "ETH",
    # tickers an exchange used before the coin's own: Bitcoin Cash after the 2018 fork, Celo on
    # Coinbase, Nano's first ticker, IOTA's unit ticker
    "BCHABC": "BCH", "BCHSV": "BSV", "CGLD": "CELO", "XRB": "NANO", "MIOTA": "IOTA",
}  # fmt: skip
# staked, opt-in rewards, flexible, bonded and parachain variants; a two-digit bonding period
# (`DOT28.S`, `KSM07.S`) goes too, unless stripping it leaves a single letter (`C98.S` is C98)
_SUFFIX = re.compile(r"^(?P<base>.+?)(?P<days>\d{2})?\.(?:S|M|P|F|B|HOLD)$")
SUFFIXES = (".S", ".M", ".P", ".F", ".B", ".HOLD")
EARN_PREFIX = "LD"  # Binance Simple Earn (flexible): LDBTC is BTC lent out
BINANCE_VARIANTS = {"BCC": "BCH"}  # Binance's Bitcoin Cash ticker until 2018 (BitConnect elsewhere)
BINANCE = "binance"

# wrapped and liquid-staking tokens: another token, not the coin (listed to keep them apart)
WRAPPED: dict[str, str] = {
    "WBTC": "BTC", "CBBTC": "BTC", "TBTC": "BTC", "WETH": "ETH", "STETH": "ETH", "WSTETH": "ETH",
    "CBETH": "ETH", "RETH": "ETH", "METH": "ETH", "WEETH": "ETH", "MSOL": "SOL", "JITOSOL": "SOL",
    "WBNB": "BNB", "WMATIC": "MATIC", "WPOL": "POL", "WAVAX": "AVAX",
}  # fmt: skip


class Renamed(NamedTuple):
    """A coin that became another by a migration (a new contract, a redenomination): holdings of
    `old` became `ratio` x as many `new` (decimal text) from about `on` (YYYY-MM-DD)."""

    old: str
    new: str
    ratio: str
    on: str
    note: str


MIGRATED: tuple[Renamed, ...] = (
    Renamed("MATIC", "POL", "1", "2024-09-04", "Polygon's MATIC became POL 1:1"),
    Renamed("LEND", "AAVE", "0.01", "2020-10-02", "100 LEND became 1 AAVE"),
    Renamed("MKR", "SKY", "24000", "2024-09-18", "1 MKR became 24,000 SKY"),
)
# tickers that changed hands: the old code may mean the old coin (check the dates before aliasing)
RENAMED_TICKERS: dict[str, tuple[str, str]] = {
    "LUNA": ("LUNC", "Terra's LUNA before 2022-05-28 is Terra Classic, LUNC (a new LUNA came after)"),
    "BCC": ("BCH", "Binance's BCC was Bitcoin Cash until 2018"),
}


@cache
def canonical_asset(code: str, venue: str = "") -> str:
    """The coin a source's asset code stands for (upper case): XXBT -> BTC, DOT28.S -> DOT,
    ETH2.S -> ETH; on `venue` "binance", LDBTC -> BTC and BCC -> BCH. Unknown codes are kept."""
    upper = code.strip().upper()
    if venue == BINANCE:
        if upper in BINANCE_VARIANTS:
            return BINANCE_VARIANTS[upper]
        if upper.startswith(EARN_PREFIX) and len(upper) > len(EARN_PREFIX) + 1:  # LDO stays LDO
            upper = upper[len(EARN_PREFIX) :]
    staked = _SUFFIX.match(upper)
    if staked is not None:
        base, days = staked.group("base"), staked.group("days")
        upper = base + days if days and len(base) < 2 else base
    return VARIANTS.get(upper, upper)


def strip_known_affix(code: str) -> str | None:
    """The code under a staking suffix or an earn prefix (`LDBTC` -> BTC, `ADA.S` -> ADA), for
    suggestions: None when it has neither."""
    upper = code.strip().upper()
    if _SUFFIX.match(upper) is not None:
        return canonical_asset(upper)
    if upper.startswith(EARN_PREFIX) and len(upper) > len(EARN_PREFIX) + 1:
        return upper[len(EARN_PREFIX) :]
    return None


def wrapped_of(code: str) -> str | None:
    """The coin a wrapped or liquid-staking token stands in for (WBTC -> BTC), else None."""
    return WRAPPED.get(code.strip().upper())
