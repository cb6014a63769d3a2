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
from engine.imports.rows import CellError, Cells, parse_number, unit_price
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
    """Blank, `0` (internal) and `Success` (2025) are successes; `Error(0)`, `1`, `Fail` are not."""
    return status.strip().lower() not in ("", "0", "success")


class _Columns:
    """Where this layout keeps each field: the older ones have `UnixTimestamp` and a column per
    direction (`Value_IN(ETH)`, `Value_OUT(ETH)`), the 2025 one `DateTime (UTC)` and one `Amount`
    with its unit (`0.5 ETH`) whose direction is From/To, valued in `Value (USD)`."""

    def __init__(self, cells: Cells, header: list[str], internal: bool) -> None:
        self.coin = native_coin(header)
        self.hash = cells.first(*HASH_COLUMNS, "Parent Transaction Hash") or "Transaction Hash"
        self.unix = cells.has("UnixTimestamp")
        self.time = "UnixTimestamp" if self.unix else "DateTime (UTC)"
        self.to = cells.first("TxTo", "To") if internal else "To"
        self.amount = None if cells.has(f"Value_IN({self.coin})") else "Amount"
        self.gas = None if internal else cells.first(f"TxnFee({self.coin})", "Txn Fee")
        self.gas_usd = cells.first("TxnFee(USD)")
        self.price = cells.first(
            f"Historical $Price/{self.coin.capitalize()}", f"Historical $Price/{self.coin}"
        )
        self.value_usd = cells.first("Value (USD)")

    def required(self) -> tuple[str, ...]:
        flows = (self.amount,) if self.amount else (f"Value_IN({self.coin})", f"Value_OUT({self.coin})")
        return (self.hash, self.time, "From", self.to or "To", *flows, *((self.gas,) if self.gas else ()))


def _flows(cells: Cells, c: _Columns, address: str, sender: str, receiver: str) -> tuple[str, Amount, Amount]:
    """(the coin, what arrived at the address, what left it) of a row."""
    if c.amount is None:
        got = cells.number(f"Value_IN({c.coin})", required=False) or Amount(0)
        return c.coin, got, cells.number(f"Value_OUT({c.coin})", required=False) or Amount(0)
    raw = cells.get(c.amount)
    number, _, unit = raw.rpartition(" ") if " " in raw else (raw, "", c.coin)
    coin, value = unit.strip().upper(), Amount(0)
    try:
        value = Amount(abs(parse_number(number)))
    except CellError as exc:
        cells.bad(c.amount, str(exc))
    if coin == "WEI":  # a wei is 10^-18 ETH: one fixed-point unit
        if value % fp.SCALE:
            cells.bad(c.amount, f"a fraction of a wei: {raw!r}")
        coin, value = "ETH", Amount(value // fp.SCALE)
    return coin, value if receiver == address else Amount(0), value if sender == address else Amount(0)


def _usd_of_gas(cells: Cells, c: _Columns, gas: Amount, moved: Amount) -> Amount | None:
    """The gas in USD: TxnFee(USD), else gas x the day's price, else its share of the value moved."""
    if not gas:
        return None
    given = cells.number(c.gas_usd, required=False, money=True) if c.gas_usd else None
    if given:
        return Amount(abs(given))
    price = cells.number(c.price, required=False, money=True, exact=False) if c.price else None
    if price:
        return fp.mul(gas, price)
    value = cells.number(c.value_usd, required=False, money=True) if c.value_usd else None
    return Amount(fp.div_round(abs(value) * gas, moved)) if value and moved else None


def _start(
    table: Table, options: Options, parsed: Parsed, internal: bool
) -> tuple[Cells, _Columns, list[tuple[int, list[str]]], str] | None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    c = _Columns(cells, table.header, internal)
    if not cells.require(table.header_line, c.required()):
        return None
    rows = list(table.rows)
    address = own_address(table, options, cells, rows, ("From", c.to or "To"), parsed)
    return None if address is None else (cells, c, rows, address)


def _when(cells: Cells, c: _Columns, options: Options) -> EpochMicros | None:
    return unix_time(cells, c.time) if c.unix else cells.time(c.time, options.zone)


def parse_normal(table: Table, options: Options, parsed: Parsed) -> None:
    started = _start(table, options, parsed, internal=False)
    if started is None:
        return
    cells, c, rows, address = started
    for line, row in rows:
        cells.start(row, line)
        before = len(parsed.problems)
        tx = cells.get(c.hash)
        timestamp = _when(cells, c, options)
        sender, receiver = cells.get("From").lower(), cells.get("To").lower()
        coin, got, sent = _flows(cells, c, address, sender, receiver)
        gas = Amount(abs(cells.number(c.gas, required=False) or 0))
        fee_usd = _usd_of_gas(cells, c, gas, Amount(max(got, sent)))
        if not tx:
            cells.bad(c.hash, "missing value")
        if address not in (sender, receiver):
            cells.bad("From", f"neither From nor To is {address}: not this address's history")
        if len(parsed.problems) > before or timestamp is None:
            continue
        method, mine = cells.get("Method"), sender == address
        base = Event(account=options.account or default_account(address, coin), asset=coin, side="spend",
                     timestamp=timestamp, quantity=gas, price=None, fee=Amount(0), fee_asset=coin, trade_id=tx,
                     tx_id=tx, source=table.label)  # fmt: skip
        if failed(cells.get("Status")):
            if mine and gas:  # a failed transaction still pays its gas, and moves nothing
                parsed.add(
                    _gas(base, fee_usd, f"failed transaction ({cells.get('Status')}): gas only"), line, FEE
                )
            else:
                parsed.skipped["failed transaction (sent by another address)"] += 1
        elif mine and sent and receiver != address:
            parsed.add(base._replace(side="transfer_out", quantity=sent, fee=gas, fee_usd=fee_usd,
                                     address=receiver or None, note=method or "send"), line, TRANSFER)  # fmt: skip
        elif got and receiver == address and sender != address:
            parsed.add(base._replace(side="transfer_in", quantity=got, address=sender or None,
                                     note=method or "receive"), line, TRANSFER)  # fmt: skip
        elif mine and gas:  # a contract call (a token transfer, an approval) or a send to itself
            parsed.add(_gas(base, fee_usd, f"gas: {method or 'contract call'}"), line, FEE)
        else:
            parsed.skipped[f"no {coin} moved and no gas paid by this address"] += 1


def _gas(base: Event, fee_usd: Amount | None, note: str) -> Event:
    """The gas of a call alone: a disposal of that much ETH at its USD value (flagged when none)."""
    return base._replace(price=unit_price(fee_usd, base.quantity) if fee_usd is not None else None,
                         subtotal=fee_usd, note=note)  # fmt: skip


def parse_internal(table: Table, options: Options, parsed: Parsed) -> None:
    """Internal transactions: ETH a contract moved to (or from) the address inside another's
    transaction. No gas here (it is on the parent transaction, in the normal export)."""
    started = _start(table, options, parsed, internal=True)
    if started is None:
        return
    cells, c, rows, address = started
    to = c.to or "To"
    for line, row in rows:
        cells.start(row, line)
        before = len(parsed.problems)
        tx = cells.get(c.hash)
        timestamp = _when(cells, c, options)
        sender, receiver = cells.get("From").lower(), cells.get(to).lower()
        coin, got, sent = _flows(cells, c, address, sender, receiver)
        if not tx:
            cells.bad(c.hash, "missing value")
        if address not in (sender, receiver):
            cells.bad("From", f"neither From nor {to} is {address}: not this address's history")
        if len(parsed.problems) > before or timestamp is None:
            continue
        if failed(cells.get("Status")) or cells.get("ErrCode"):
            parsed.skipped["failed internal transaction"] += 1
            continue
        kind = cells.get("Type") or "call"
        base = Event(account=options.account or default_account(address, coin), asset=coin, side="transfer_in",
                     timestamp=timestamp, quantity=got, price=None, fee=Amount(0), tx_id=tx, source=table.label,
                     note=f"internal {kind}")  # fmt: skip
        if got and receiver == address and sender != address:
            parsed.add(base._replace(address=sender or None), line, TRANSFER)
        elif sent and sender == address and receiver != address:
            parsed.add(
                base._replace(side="transfer_out", quantity=sent, address=receiver or None), line, TRANSFER
            )
        else:
            parsed.skipped[f"internal {kind} moving nothing in or out"] += 1


def _layout(names: set[str]) -> str:
    if "amount" in names:  # the 2025 layout: one Amount with its unit, valued in Value (USD)
        return "2025, Amount with its unit"
    parts = ["Transaction Hash" if "transaction hash" in names else "Txhash"]
    parts += [extra for extra in ("Method", "TxnFee(USD)", "PrivateNote") if extra.lower() in names]
    return ", ".join(parts)


def _normal_layout(header: list[str]) -> str | None:
    names = {name.strip().lower() for name in header}
    flows = "amount" in names or any(_NATIVE.match(n) for n in names)
    internal = "parenttxfrom" in names or "parent transaction hash" in names
    return _layout(names) if flows and "to" in names and not internal and "tokensymbol" not in names else None


def _internal_layout(header: list[str]) -> str | None:
    names = {name.strip().lower() for name in header}
    flows = "amount" in names or any(_NATIVE.match(n) for n in names)
    internal = "parenttxfrom" in names or "parent transaction hash" in names
    return _layout(names) if flows and internal else None


ETHERSCAN_NORMAL = Format(
    key="etherscan",
    name="Etherscan transactions",
    export_path="etherscan.io → your address → Transactions → Download Page Data (CSV)",
    reads="sends (transfer out, the gas as its fee in ETH) and receives of ETH, the gas of contract calls and "
    "of failed transactions this address sent (a disposal of ETH)",
    skips="transactions sent by others that move no ETH to this address, and their failures",
    versions=(
        Version("Txhash", ()),
        Version("Transaction Hash (with Method, TxnFee(USD))", ()),
        Version("2025 (one Amount with its unit, Value (USD), Txn Fee)", ()),
    ),  # fmt: skip
    parse=parse_normal,
    core=frozenset({"blockno", "from", "to", "status"}),
    zone="UTC",
    layout=_normal_layout,
)
ETHERSCAN_INTERNAL = Format(
    key="etherscan-internal",
    name="Etherscan internal transactions",
    export_path="etherscan.io → your address → Internal Txns → Download Page Data (CSV)",
    reads="ETH contracts sent to this address (transfers in) or from it",
    skips="failed internal transactions (nothing moved)",
    versions=(
        Version("Txhash", ()),
        Version("Transaction Hash", ()),
        Version("2025 (Parent Transaction Hash, Amount with its unit)", ()),
    ),  # fmt: skip
    parse=parse_internal,
    core=frozenset({"blockno", "from", "status"}),
    zone="UTC",
    layout=_internal_layout,
)
