"""Trezor Suite transactions export: Trezor Suite → the account → ⋯ → Export → CSV. The file is
semicolon-separated; `Timestamp` is exact Unix seconds (UTC).

RECV is a receive; SENT a send whose Amount excludes the network fee (the fee, in `Fee unit`, is a
disposal of that coin); SELF (to an own address) and a FAILED transaction that paid a fee (an
Ethereum one) are the fee alone; a FAILED one with no fee is skipped. A transaction sending to
several addresses is a row per output, each repeating its fee: the fee is counted once, on the
transaction's first output. `Fiat (USD)` values the amount, and so the fee at the same rate.
Amounts in satoshis (`sat`) are read as BTC."""

from __future__ import annotations

from engine.core import fixedpoint as fp
from engine.core.dates import MICROS
from engine.core.units import Amount, EpochMicros
from engine.imports.chain_ids import number_repeats
from engine.imports.formats import FEE, TRANSFER, UNCLASSIFIED, Format, Options, Parsed, Table, Version
from engine.imports.rows import Cells, unit_price
from engine.ledger.events import EARLIEST, Event
from engine.ledger.events import UNCLASSIFIED as UNCLASSIFIED_SIDE

HEADER = ("Timestamp", "Date", "Time", "Type", "Transaction ID", "Fee", "Fee unit", "Address", "Label", "Amount",
          "Amount unit", "Fiat (USD)", "Other")  # fmt: skip
SATOSHI = 10**8


def parse(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    if not cells.require(
        table.header_line, ("Timestamp", "Type", "Transaction ID", "Fee", "Amount", "Amount unit")
    ):
        return
    account = options.account or "trezor"
    rows = []
    for line, row in table.rows:
        cells.start(row, line)
        before = len(parsed.problems)
        timestamp = _unix(cells)
        amount = _coins(cells, "Amount", "Amount unit")
        fee = _coins(cells, "Fee", "Fee unit") or Amount(0)
        fiat = cells.number("Fiat (USD)", required=False, money=True) if cells.has("Fiat (USD)") else None
        kind, tx = cells.get("Type").upper(), cells.get("Transaction ID")
        for column, value in (("Type", kind), ("Transaction ID", tx)):
            if not value:
                cells.bad(column, "missing value")
        if len(parsed.problems) > before or timestamp is None or amount is None:
            continue
        coin = _unit(cells.get("Amount unit"))
        fee_coin = _unit(cells.get("Fee unit")) or coin
        rows.append((line, timestamp, kind, tx, Amount(abs(amount)), Amount(abs(fee)), fiat, coin, fee_coin,
                     cells.get("Address") or None, cells.get("Label") or None))  # fmt: skip
    charged: set[str] = set()
    # the fee goes on a transaction's first output in a fixed order (not the file's): shuffles agree
    for line, timestamp, kind, tx, amount, fee, fiat, coin, fee_coin, address, label in sorted(
        rows, key=lambda r: (r[3], r[2], r[9] or "", r[4], r[0])
    ):
        fee_here = fee if tx not in charged else Amount(0)
        charged.add(tx)
        usd = Amount(abs(fiat)) if fiat else None
        fee_usd = (
            Amount(fp.div_round(usd * fee_here, amount))
            if usd is not None and amount and fee_coin == coin
            else None
        )
        base = Event(account=account, asset=coin, side="transfer_in", timestamp=timestamp, quantity=amount, price=None,
                     fee=Amount(0), fee_asset=fee_coin, tx_id=tx, address=address, note=label or kind,
                     source=table.label)  # fmt: skip
        if kind == "RECV":
            parsed.add(base, line, TRANSFER)
        elif kind == "SENT":
            parsed.add(base._replace(side="transfer_out", fee=fee_here, fee_usd=fee_usd if fee_here else None), line,
                       TRANSFER)  # fmt: skip
        elif kind in ("SELF", "FAILED"):
            if not fee_here:
                parsed.skipped[f"{kind} (no fee)" if kind == "FAILED" else f"{kind} (fee counted once)"] += 1
                continue
            parsed.add(base._replace(side="spend", asset=fee_coin, quantity=fee_here, fee_asset=fee_coin,
                                     price=unit_price(fee_usd, fee_here) if fee_usd else None, subtotal=fee_usd,
                                     note=f"{kind}: fee only"), line, FEE)  # fmt: skip
        else:
            parsed.add(base._replace(side=UNCLASSIFIED_SIDE, note=kind), line, UNCLASSIFIED)
    number_repeats(parsed)


def _unit(text: str) -> str:
    upper = text.strip().upper()
    return "BTC" if upper in ("SAT", "SATS", "SATOSHI") else upper


def _coins(cells: Cells, column: str, unit_column: str) -> Amount | None:
    value = cells.number(column, required=column == "Amount")
    if value is not None and cells.get(unit_column).lower() in ("sat", "sats", "satoshi"):
        if value % fp.SCALE:
            cells.bad(column, "a fraction of a satoshi")
            return None
        return Amount(value // SATOSHI)
    return value


def _unix(cells: Cells) -> EpochMicros | None:
    raw = cells.get("Timestamp")
    if not raw.isdigit():
        cells.bad("Timestamp", f"not a Unix time in seconds: {raw!r}" if raw else "missing value")
        return None
    moment = EpochMicros(int(raw) * MICROS)
    if moment > cells.latest or moment < EARLIEST:
        cells.bad("Timestamp", f"out of range (before 2009 or in the future): {raw}")
        return None
    return moment


TREZOR = Format(
    key="trezor",
    name="Trezor Suite transactions",
    export_path="Trezor Suite → the account → ⋯ → Export → CSV",
    reads="receives (RECV), sends (SENT: the fee on top, a disposal of the coin), the fee of SELF and failed "
    "transactions",
    skips="failed transactions that paid no fee",
    versions=(Version("2023", HEADER),),
    parse=parse,
    core=frozenset({"timestamp", "type", "transaction id", "fee", "fee unit", "amount", "amount unit"}),
    default_account="trezor",
    zone="UTC",
)
