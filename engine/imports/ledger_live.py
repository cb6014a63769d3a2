"""Ledger Live operations export: Ledger Live → Accounts → ⋯ (or Settings → Accounts) → Export
operations (CSV), in its layouts (with and without `Status` and the countervalue columns;
`Account id` before `Account xpub`).

Each account's operations land in the Ledger Live account's name (`Bitcoin 1`) unless --account.
An OUT amount includes the network fee: what left for the other side is amount − fee, and the fee
is a disposal of the same coin. FEES and the staking operations (DELEGATE, BOND, …) are the fee
alone. A REWARD is income at its countervalue when that is in USD (else it needs a price). Only
`Confirmed` operations are read. Times are ISO 8601 in UTC (`2024-03-05T14:22:10.000Z`)."""

from __future__ import annotations

from engine.core import fixedpoint as fp
from engine.core.units import Amount
from engine.imports.chain_ids import number_repeats
from engine.imports.formats import (
    FEE,
    INCOME,
    TRANSFER,
    UNCLASSIFIED,
    Format,
    Options,
    Parsed,
    Table,
    Version,
)
from engine.imports.rows import Cells, unit_price
from engine.ledger.events import UNCLASSIFIED as UNCLASSIFIED_SIDE
from engine.ledger.events import USD, Event

FEE_ONLY = {"FEES", "REVEAL", "BOND", "UNBOND", "WITHDRAW_UNBONDED", "DELEGATE", "UNDELEGATE", "REDELEGATE",
            "OPT_IN", "OPT_OUT", "SET_CONTROLLER", "NOMINATE", "CHILL", "APPROVE"}  # fmt: skip
SKIPPED = {"NFT_IN", "NFT_OUT", "NONE"}  # NFTs are not read; NONE carries nothing

_BASE = ("Operation Date", "Currency Ticker", "Operation Type", "Operation Amount", "Operation Fees",
         "Operation Hash", "Account Name")  # fmt: skip
_VALUES = ("Countervalue Ticker", "Countervalue at Operation Date", "Countervalue at CSV Export")
VERSIONS = (
    Version("with status and countervalues", (_BASE[0], "Status", *_BASE[1:], "Account xpub", *_VALUES)),
    Version("with countervalues", (*_BASE, "Account xpub", *_VALUES)),
    Version("with xpub", (*_BASE, "Account xpub")),
    Version("with account id", (*_BASE, "Account id")),
)


def parse(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    if not cells.require(table.header_line, _BASE):
        return
    for line, row in table.rows:
        cells.start(row, line)
        before = len(parsed.problems)
        status = cells.get("Status")
        timestamp = cells.time("Operation Date", options.zone)
        amount = cells.number("Operation Amount")
        fees = cells.number("Operation Fees", required=False) or Amount(0)
        kind = cells.get("Operation Type").upper()
        coin = cells.get("Currency Ticker").upper()
        for column, cell in (("Operation Type", kind), ("Currency Ticker", coin)):
            if not cell:
                cells.bad(column, "missing value")
        if len(parsed.problems) > before or timestamp is None or amount is None:
            continue
        if status and status.lower() != "confirmed":
            parsed.skipped[f"{kind} ({status})"] += 1
            continue
        if kind in SKIPPED:
            parsed.skipped[kind] += 1
            continue
        account = options.account or cells.get("Account Name") or "ledger"
        value = _usd_value(cells)
        tx = cells.get("Operation Hash") or None
        amount, fees = Amount(abs(amount)), Amount(abs(fees))
        base = Event(account=account, asset=coin, side="transfer_in", timestamp=timestamp, quantity=amount,
                     price=None, fee=Amount(0), fee_asset=coin, tx_id=tx, source=table.label, note=kind)  # fmt: skip
        if kind == "IN":
            parsed.add(base, line, TRANSFER)
        elif kind == "OUT":
            if fees > amount:
                cells.bad("Operation Fees", f"more than the amount sent ({fp.fmt(amount, 0)})")
                continue
            sent = Amount(amount - fees)  # the amount includes the network fee
            fee_usd = Amount(fp.div_round(value * fees, amount)) if value is not None and fees else None
            parsed.add(
                base._replace(side="transfer_out", quantity=sent, fee=fees, fee_usd=fee_usd), line, TRANSFER
            )
        elif kind in FEE_ONLY:
            paid = fees or amount
            if not paid:
                parsed.skipped[f"{kind} (no fee)"] += 1
                continue
            worth = Amount(fp.div_round(value * paid, amount)) if value is not None and amount else None
            parsed.add(base._replace(side="spend", quantity=paid, price=unit_price(worth, paid) if worth else None,
                                     subtotal=worth, note=f"{kind}: fee only"), line, FEE)  # fmt: skip
        elif kind == "REWARD":
            parsed.add(base._replace(side="income", price=unit_price(value, amount) if value else None,
                                     subtotal=value), line, INCOME)  # fmt: skip
        else:
            parsed.add(base._replace(side=UNCLASSIFIED_SIDE), line, UNCLASSIFIED)
    number_repeats(parsed)


def _usd_value(cells: Cells) -> Amount | None:
    """The operation's value at its date, when the export's countervalue is in USD."""
    if cells.get("Countervalue Ticker").upper() != USD:
        return None
    value = cells.number("Countervalue at Operation Date", required=False, money=True)
    return Amount(abs(value)) if value else None


LEDGER_LIVE = Format(
    key="ledger-live",
    name="Ledger Live operations",
    export_path="Ledger Live → Accounts → ⋯ → Export operations (CSV)",
    reads="receives (IN) and sends (OUT: the amount less the network fee, which is a disposal of the coin), "
    "fee-only operations (FEES, DELEGATE, BOND, …), staking rewards (income at the USD countervalue)",
    skips="operations not Confirmed; NFT_IN / NFT_OUT",
    versions=VERSIONS,
    parse=parse,
    core=frozenset(
        {"operation date", "currency ticker", "operation type", "operation amount", "operation hash"}
    ),
    zone="UTC",
)
