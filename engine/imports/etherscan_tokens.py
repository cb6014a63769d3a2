"""Etherscan ERC-20 token transfers for one own address (etherscan.io → the address → Token
Transfers (ERC-20) → Download Page Data, `export-address-token-0x….csv`).

Direction is To/From against the own address (see engine.imports.etherscan for how it is
found). A token symbol is not an identity — anyone can deploy a token called USDC — so the
contract is kept on every event (its note), and a symbol harvest knows (USDC, USDT, WETH, …)
arriving from another contract is not merged with the real one: it becomes `USDC-0x1234abcd`
(the symbol and the contract's first 4 bytes) and the summary says so. A symbol that several
contracts in one file use is told apart the same way. The gas of each transfer is in the normal
transactions export."""

from __future__ import annotations

from engine.core.units import Amount
from engine.imports.etherscan import HASH_COLUMNS, default_account, own_address, unix_time
from engine.imports.formats import TRANSFER, Format, Options, Parsed, Table, Version
from engine.imports.rows import Cells
from engine.ledger.events import Event

# The contracts of the common Ethereum tokens: the same symbol from any other contract is another token
KNOWN_CONTRACTS = {
    "USDC": "0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48",
    "USDT": "0xdac17f958d2ee523a2206206994597c13d831ec7",
    "DAI": "0x6b175474e89094c44da98b954eedeac495271d0f",
    "WETH": "0xc02aaa39b223fe8d0a0e5c4f27ead9083c756cc2",
    "WBTC": "0x2260fac5e5542a773aa44fbcfedf7c193bc2c599",
    "LINK": "0x514910771af9ca656af840dff83e8264ecf986ca",
    "UNI": "0x1f9840a85d5af5bf1d1762f925bdaddc4201f984",
    "SHIB": "0x95ad61b0a150d79219dcf64e1e6cc01f0b64c4ce",
    "AAVE": "0x7fc66500c84a76ad7e9c93437bfc5ac33e2ddae9",
    "MATIC": "0x7d1afa7b718fb893db30a3abc0cfc608aacfebb0",
    "PEPE": "0x6982508145454ce325ddbe47a25d4ec3d2311933",
    "PYUSD": "0x6c3ea9036406852006290770bedfcaba0e23a0e8",
}
_VALUE_COLUMNS = ("TokenValue", "Value")


def token_asset(symbol: str, contract: str, shared: set[str]) -> str:
    """The asset a token is held as: its symbol, unless that symbol belongs to another contract
    (a known token's, or one of several contracts in this file): then SYMBOL-0x12345678."""
    known = KNOWN_CONTRACTS.get(symbol)
    if (known is not None and known != contract) or (known is None and symbol in shared):
        return f"{symbol}-{contract[:10]}"
    return symbol


def parse(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    hash_column = cells.first(*HASH_COLUMNS) or "Transaction Hash"
    value_column = cells.first(*_VALUE_COLUMNS) or "TokenValue"
    if not cells.require(
        table.header_line,
        (hash_column, "UnixTimestamp", "From", "To", value_column, "ContractAddress", "TokenSymbol"),
    ):
        return
    rows = list(table.rows)
    address = own_address(table, options, cells, rows, ("From", "To"), parsed)
    if address is None:
        return
    account = options.account or default_account(address)
    contracts: dict[str, set[str]] = {}
    for line, row in rows:
        cells.start(row, line)
        contracts.setdefault(cells.get("TokenSymbol").upper(), set()).add(
            cells.get("ContractAddress").lower()
        )
    shared = {symbol for symbol, found in contracts.items() if len(found) > 1}
    renamed: dict[str, str] = {}
    for line, row in rows:
        cells.start(row, line)
        before = len(parsed.problems)
        tx = cells.get(hash_column)
        timestamp = unix_time(cells, "UnixTimestamp")
        quantity = cells.number(value_column)
        symbol, contract = cells.get("TokenSymbol").upper(), cells.get("ContractAddress").lower()
        for column, value in ((hash_column, tx), ("ContractAddress", contract)):
            if not value:
                cells.bad(column, "missing value")
        if len(parsed.problems) > before or timestamp is None or quantity is None:
            continue
        sender, receiver = cells.get("From").lower(), cells.get("To").lower()
        if address not in (sender, receiver):
            cells.bad("From", f"neither From nor To is {address}: not this address's history")
            continue
        if sender == receiver or not quantity:
            parsed.skipped["token sent to itself or zero" if quantity else "zero-value token transfer"] += 1
            continue
        asset = token_asset(symbol or contract, contract, shared)
        if asset != (symbol or contract):
            renamed[asset] = symbol
        name = cells.get("TokenName")
        note = f"{name or symbol} (contract {contract})"
        outgoing = sender == address
        event = Event(account=account, asset=asset, side="transfer_out" if outgoing else "transfer_in",
                      timestamp=timestamp, quantity=Amount(abs(quantity)), price=None, fee=Amount(0), tx_id=tx,
                      address=(receiver if outgoing else sender) or None, note=note, source=table.label)  # fmt: skip
        parsed.add(event, line, TRANSFER)
    for asset, symbol in sorted(renamed.items()):
        known = KNOWN_CONTRACTS.get(symbol)
        why = (
            f"not the {symbol} contract {known}" if known else f"one of several contracts named {symbol} here"
        )
        parsed.notes.append(f"{symbol} from contract {asset.split('-', 1)[1]}… kept apart as {asset} ({why})")


def _layout(header: list[str]) -> str | None:
    names = {name.strip().lower() for name in header}
    if "tokensymbol" not in names:
        return None
    parts = ["Transaction Hash" if "transaction hash" in names else "Txhash"]
    parts.append("TokenValue" if "tokenvalue" in names else "Value")
    parts += [extra for extra in ("USDValueDayOfTx",) if extra.lower() in names]
    return ", ".join(parts)


ETHERSCAN_TOKENS = Format(
    key="etherscan-tokens",
    name="Etherscan ERC-20 token transfers",
    export_path="etherscan.io → your address → Token Transfers (ERC-20) → Download Page Data (CSV)",
    reads="tokens sent and received (transfers, with the contract kept; a known symbol from another "
    "contract is kept apart)",
    skips="zero-value transfers and tokens sent to the address itself",
    versions=(Version("Txhash with Value", ()), Version("Transaction Hash with TokenValue", ())),
    parse=parse,
    core=frozenset({"blockno", "unixtimestamp", "from", "to", "contractaddress", "tokensymbol"}),
    zone="UTC",
    layout=_layout,
)
