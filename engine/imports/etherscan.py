"""Etherscan exports for one own address: normal transactions and internal transactions
(etherscan.io → the address → Transactions / Internal Txns → Download page data → CSV), in the
layouts served (`Txhash` became `Transaction Hash`; `Method` and `TxnFee(USD)` were added), and
the same layouts from Etherscan's clones (BscScan, Polygonscan: `Value_IN(BNB)`).

Whose address: --address, else the one in the download's name (`export-0x….csv`), else the
address in every row. Gas is paid only on a transaction that address sent — a failed one too,
which moves nothing else. A send is a transfer out with the gas as its fee in ETH (valued from
`TxnFee(USD)`, else the day's `Historical $Price/Eth`); a call that moves no ETH is the gas alone,
a small disposal of ETH. Receives and internal transfers in are transfers in. Times are the exact
`UnixTimestamp` (UTC). The ERC-20 export is engine.imports.etherscan_tokens."""

from __future__ import annotations

import re
from pathlib import PurePath

from engine.core import fixedpoint as fp
from engine.core.dates import MICROS
from engine.core.units import Amount, EpochMicros
from engine.imports.formats import FEE, TRANSFER, Format, Options, Parsed, Table, Version
from engine.imports.rows import Cells, unit_price
from engine.ledger.events import EARLIEST, Event

ADDRESS = re.compile(r"0x[0-9a-fA-F]{40}\Z")
_IN_NAME = re.compile(r"(0x[0-9a-fA-F]{40})")
_NATIVE = re.compile(r"value_in\((\w+)\)\Z", re.IGNORECASE)
CHAINS = {"ETH": "ethereum", "BNB": "bsc", "MATIC": "polygon", "POL": "polygon", "AVAX": "avalanche",
          "FTM": "fantom", "CELO": "celo", "GLMR": "moonbeam"}  # fmt: skip
HASH_COLUMNS = ("Transaction Hash", "Txhash")


def own_address(
    table: Table,
    options: Options,
    cells: Cells,
    rows: list[tuple[int, list[str]]],
    columns: tuple[str, ...],
    parsed: Parsed,
) -> str | None:
    """The address whose history this is: --address, the download's name, else the one address
    every row has in one of `columns` (From/To). None (with a problem) when it cannot be told."""
    if options.address:
        return options.address.lower()
    named = _IN_NAME.search(PurePath(table.label).name)
    if named is not None:
        return named.group(1).lower()
    common: set[str] | None = None
    for line, row in rows:
        cells.start(row, line)
        seen = {cells.get(c).lower() for c in columns if cells.get(c)}
        common = seen if common is None else common & seen
    if common and len(common) == 1:
        return common.pop()
    parsed.problems.append(
        f"{table.label}:{table.header_line}: {columns[0]}: cannot tell which address is yours (not in the "
        "file name, and no one address is in every row); pass --address 0x…"
    )
    return None


def default_account(address: str, native: str = "ETH") -> str:
    """`ethereum:0xabcd…1234`: the chain and the address, shortened."""
    return f"{CHAINS.get(native, native.lower())}:{address[:6]}…{address[-4:]}"


def native_coin(header: list[str]) -> str:
    """The chain's coin, from the `Value_IN(ETH)` column's name (BscScan writes BNB)."""
    for name in header:
        found = _NATIVE.match(name.strip())
        if found is not None:
            return found.group(1).upper()
    return "ETH"


def unix_time(cells: Cells, column: str) -> EpochMicros | None:
    raw = cells.get(column)
    if not raw.isdigit():
        cells.bad(column, f"not a Unix time in seconds: {raw!r}" if raw else "missing value")
        return None
    moment = EpochMicros(int(raw) * MICROS)
    if moment > cells.latest or moment < EARLIEST:
        cells.bad(column, f"out of range (before 2009 or in the future): {raw}")
        return None
    return moment


def failed(status: str) -> bool:
    """Normal transactions: blank is success, `Error(0)` a failure; internal ones: `0` is success."""
    return status.strip() not in ("", "0")


def parse_normal(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    coin = native_coin(table.header)
    value_in, value_out = f"Value_IN({coin})", f"Value_OUT({coin})"
    hash_column = cells.first(*HASH_COLUMNS) or "Transaction Hash"
    for name in (hash_column, "UnixTimestamp", "From", "To", value_in, value_out, f"TxnFee({coin})"):
        if not cells.has(name):
            parsed.problems.append(f"{table.label}:{table.header_line}: {name}: required column missing")
    if parsed.problems:
        return
    rows = list(table.rows)
    address = own_address(table, options, cells, rows, ("From", "To"), parsed)
    if address is None:
        return
    account = options.account or default_account(address, coin)
    price_column = cells.first(f"Historical $Price/{coin.capitalize()}", f"Historical $Price/{coin}")
    for line, row in rows:
        cells.start(row, line)
        before = len(parsed.problems)
        tx = cells.get(hash_column)
        timestamp = unix_time(cells, "UnixTimestamp")
        got = cells.number(value_in, required=False) or Amount(0)
        sent = cells.number(value_out, required=False) or Amount(0)
        gas = cells.number(f"TxnFee({coin})", required=False) or Amount(0)
        gas_usd = (
            cells.number("TxnFee(USD)", required=False, money=True) if cells.has("TxnFee(USD)") else None
        )
        price = cells.number(price_column, required=False, money=True, exact=False) if price_column else None
        if not tx:
            cells.bad(hash_column, "missing value")
        if len(parsed.problems) > before or timestamp is None:
            continue
        sender, receiver = cells.get("From").lower(), cells.get("To").lower()
        ours = address in (sender, receiver)
        if not ours:
            cells.bad("From", f"neither From nor To is {address}: not this address's history")
            continue
        method = cells.get("Method")
        mine = sender == address
        fee_usd = gas_usd if gas_usd else (fp.mul(gas, price) if price and gas else None)
        base = Event(account=account, asset=coin, side="spend", timestamp=timestamp, quantity=gas, price=None,
                     fee=Amount(0), fee_asset=coin, trade_id=tx, tx_id=tx, source=table.label)  # fmt: skip
        if failed(cells.get("Status")):
            if mine and gas:  # a failed transaction still pays its gas, and moves nothing
                parsed.add(
                    _gas(base, fee_usd, f"failed transaction ({cells.get('Status')}): gas only"), line, FEE
                )
            else:
                parsed.skipped["failed transaction (sent by another address)"] += 1
            continue
        if mine and sent and receiver != address:
            parsed.add(base._replace(side="transfer_out", quantity=sent, fee=gas, fee_asset=coin,
                                     fee_usd=fee_usd if gas else None, address=receiver or None,
                                     note=method or "send"), line, TRANSFER)  # fmt: skip
        elif got and receiver == address and sender != address:
            parsed.add(base._replace(side="transfer_in", quantity=got, address=sender or None,
                                     note=method or "receive"), line, TRANSFER)  # fmt: skip
        elif mine and gas:  # a contract call (a token transfer, an approval) or a send to itself
            parsed.add(_gas(base, fee_usd, f"gas: {method or 'contract call'}"), line, FEE)
        else:
            parsed.skipped["no ETH moved and no gas paid by this address" if coin == "ETH" else
                           f"no {coin} moved and no gas paid by this address"] += 1  # fmt: skip


def _gas(base: Event, fee_usd: Amount | None, note: str) -> Event:
    """The gas of a call alone: a disposal of that much ETH at its USD value (flagged when none)."""
    return base._replace(price=unit_price(fee_usd, base.quantity) if fee_usd is not None else None,
                         subtotal=fee_usd, note=note)  # fmt: skip


def parse_internal(table: Table, options: Options, parsed: Parsed) -> None:
    """Internal transactions: ETH a contract moved to (or from) the address inside another's
    transaction. No gas here (it is on the parent transaction, in the normal export)."""
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    coin = native_coin(table.header)
    value_in, value_out = f"Value_IN({coin})", f"Value_OUT({coin})"
    hash_column = cells.first(*HASH_COLUMNS) or "Transaction Hash"
    for name in (hash_column, "UnixTimestamp", "From", "TxTo", value_in, value_out):
        if not cells.has(name):
            parsed.problems.append(f"{table.label}:{table.header_line}: {name}: required column missing")
    if parsed.problems:
        return
    rows = list(table.rows)
    address = own_address(table, options, cells, rows, ("From", "TxTo"), parsed)
    if address is None:
        return
    account = options.account or default_account(address, coin)
    for line, row in rows:
        cells.start(row, line)
        before = len(parsed.problems)
        tx = cells.get(hash_column)
        timestamp = unix_time(cells, "UnixTimestamp")
        got = cells.number(value_in, required=False) or Amount(0)
        sent = cells.number(value_out, required=False) or Amount(0)
        if not tx:
            cells.bad(hash_column, "missing value")
        if len(parsed.problems) > before or timestamp is None:
            continue
        sender, receiver = cells.get("From").lower(), cells.get("TxTo").lower()
        if address not in (sender, receiver):
            cells.bad("From", f"neither From nor TxTo is {address}: not this address's history")
            continue
        if failed(cells.get("Status")) or cells.get("ErrCode"):
            parsed.skipped["failed internal transaction"] += 1
            continue
        kind = cells.get("Type") or "call"
        base = Event(account=account, asset=coin, side="transfer_in", timestamp=timestamp, quantity=got,
                     price=None, fee=Amount(0), tx_id=tx, source=table.label, note=f"internal {kind}")  # fmt: skip
        if got and receiver == address and sender != address:
            parsed.add(base._replace(address=sender or None), line, TRANSFER)
        elif sent and sender == address and receiver != address:
            parsed.add(
                base._replace(side="transfer_out", quantity=sent, address=receiver or None), line, TRANSFER
            )
        else:
            parsed.skipped[f"internal {kind} moving nothing in or out"] += 1


def _layout(header: list[str], hashes: tuple[str, ...] = HASH_COLUMNS) -> str | None:
    names = {name.strip().lower() for name in header}
    if not any(value.lower() in names for value in hashes):
        return None
    parts = ["Transaction Hash" if "transaction hash" in names else "Txhash"]
    parts += [extra for extra in ("Method", "TxnFee(USD)", "PrivateNote") if extra.lower() in names]
    return ", ".join(parts)


def _normal_layout(header: list[str]) -> str | None:
    names = {name.strip().lower() for name in header}
    return _layout(header) if "to" in names and any(_NATIVE.match(n) for n in names) else None


def _internal_layout(header: list[str]) -> str | None:
    names = {name.strip().lower() for name in header}
    return _layout(header) if "parenttxfrom" in names and any(_NATIVE.match(n) for n in names) else None


ETHERSCAN_NORMAL = Format(
    key="etherscan",
    name="Etherscan transactions",
    export_path="etherscan.io → your address → Transactions → Download Page Data (CSV)",
    reads="sends (transfer out, the gas as its fee in ETH) and receives of ETH, the gas of contract calls and "
    "of failed transactions this address sent (a disposal of ETH)",
    skips="transactions sent by others that move no ETH to this address, and their failures",
    versions=(Version("Transaction Hash", ()),),
    parse=parse_normal,
    core=frozenset({"blockno", "unixtimestamp", "from", "to", "contractaddress", "status"}),
    zone="UTC",
    layout=_normal_layout,
)
ETHERSCAN_INTERNAL = Format(
    key="etherscan-internal",
    name="Etherscan internal transactions",
    export_path="etherscan.io → your address → Internal Txns → Download Page Data (CSV)",
    reads="ETH contracts sent to this address (transfers in) or from it",
    skips="failed internal transactions (nothing moved)",
    versions=(Version("Transaction Hash", ()),),
    parse=parse_internal,
    core=frozenset({"blockno", "unixtimestamp", "parenttxfrom", "parenttxto", "from", "txto"}),
    zone="UTC",
    layout=_internal_layout,
)
