"""CoinLedger transaction export: CoinLedger → Transactions → Export (CSV), one row per balance
change, the rows of one transaction sharing an `Internal Id` (a trade's debit and credit, its
platform fee, a withdrawal and its network fee).

Each transaction lands in the account named by its `Account Name` (else its `Platform`) unless
--account puts them all in one. A group whose Type is a trade (Trade, Buy, Sell, Convert, Swap)
goes from its debit to its credit (a USD side gives its value; crypto for crypto has no value in
this export and is flagged as needing a price), its fee rows the trade's fee; Deposit, Withdrawal
and Transfer rows are transfers (with the Blockchain Id as the transaction hash, so a withdrawal
and the deposit it became pair up), a network fee in the same group their fee; Gift Received and
Gift Sent are transfers too (no sale); Airdrop, Staking, Mining, Interest, Income, Hard Fork and
rewards are income and Merchant Payment, Gift Sent, a standalone Network Fee and a negative Interest
Payment are spends, all flagged as needing a USD price (the export has none). Losses, margin gains
and manual positions are kept unclassified, and so is a trade whose other side is not in the file.
Times are `2025-08-06T07:16:26.000`, UTC."""

from __future__ import annotations

from dataclasses import dataclass, replace

from engine.core.units import Amount, EpochMicros
from engine.imports.formats import (
    FEE,
    INCOME,
    TRADE,
    TRANSFER,
    UNCLASSIFIED,
    Format,
    Options,
    Parsed,
    Table,
    Version,
)
from engine.imports.row_events import FIAT, Flow, Origin, income, spend, trade, transfer, unclassified
from engine.imports.rows import Cells

TRADE_TYPES = frozenset({"trade", "buy", "sell", "convert", "swap"})
MOVE_TYPES = frozenset({"deposit", "withdrawal", "transfer", "gift received", "gift sent"})
INCOME_TYPES = frozenset({"income", "interest", "staking", "airdrop", "mining", "hard fork", "reward", "rewards",
                          "interest payment"})  # fmt: skip
SPEND_TYPES = frozenset({"merchant payment", "network fee", "interest payment"})
LOSS_TYPES = frozenset({"casualty loss", "theft loss", "investment loss"})
FEE_RECORDS = frozenset({"network fee", "platform fee"})

HEADER = ("Timestamp (UTC)", "Type", "Internal Id", "Platform", "Account Name", "Platform Id", "Blockchain Id",
          "Record Type", "Asset", "Amount", "Description")  # fmt: skip
REQUIRED = ("Timestamp (UTC)", "Type", "Internal Id", "Record Type", "Asset", "Amount")


@dataclass(frozen=True, slots=True)
class _Row:
    """One CoinLedger line, read."""

    line: int
    time: EpochMicros
    kind: str  # Type, as the file spells it
    group: str  # Internal Id
    account: str
    record: str  # Record Type, lowercased
    asset: str
    amount: Amount  # signed
    tx: str | None
    note: str | None


def parse(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    if not cells.require(table.header_line, REQUIRED):
        return
    groups: dict[str, list[_Row]] = {}
    for line, values in table.rows:
        cells.start(values, line)
        before = len(parsed.problems)
        time = cells.time("Timestamp (UTC)", options.zone)
        amount = cells.number("Amount")
        for name in ("Type", "Internal Id", "Record Type", "Asset"):
            if not cells.get(name):
                cells.bad(name, "missing value")
        if len(parsed.problems) > before or time is None or amount is None:
            continue
        account = options.account or cells.get("Account Name") or cells.get("Platform") or "coinledger"
        row = _Row(line, time, cells.get("Type"), cells.get("Internal Id"), account, cells.get("Record Type").lower(),
                   cells.get("Asset").upper(), amount, cells.get("Blockchain Id") or None,
                   cells.get("Description") or None)  # fmt: skip
        groups.setdefault(row.group, []).append(row)
    for group_id in sorted(groups):  # file order does not matter
        _group(
            sorted(groups[group_id], key=lambda r: (r.time, r.record, r.asset, r.amount)), table.label, parsed
        )
    accounts = sorted({row.account for rows in groups.values() for row in rows})
    if not options.account and accounts:
        parsed.notes.append(f"rows land in the accounts named by their account or platform: {', '.join(accounts)} "
                            "(--account NAME puts them all in one)")  # fmt: skip


def _group(rows: list[_Row], label: str, parsed: Parsed) -> None:
    """One transaction's events from its rows (a trade's two sides and fee, a move and its fee)."""
    first = rows[0]
    kind = first.kind.lower()
    fees = [r for r in rows if r.record in FEE_RECORDS]
    main = [r for r in rows if r.record not in FEE_RECORDS]
    origin = Origin(
        first.account, first.time, label, trade_id=first.group, tx_id=first.tx, note=first.note or first.kind
    )
    fee = _flow(fees[0]) if fees else None
    if kind in TRADE_TYPES:
        outs = [r for r in main if r.amount < 0]
        ins = [r for r in main if r.amount > 0]
        if len(outs) != 1 or len(ins) != 1:  # a side missing (a file cut between them?): kept, not guessed
            for index, row in enumerate(rows):
                note = f"{row.kind} (Internal Id {row.group}: not a two-sided trade in this file)"
                parsed.add(unclassified(replace(origin, trade_id=f"{row.group}:{index}", note=note), _flow(row)),
                           row.line, UNCLASSIFIED)  # fmt: skip
            return
        swap = trade(origin, _flow(outs[0]), _flow(ins[0]), fee)
        if swap is None:
            parsed.skipped[f"{first.kind} ({outs[0].asset} to {ins[0].asset})"] += 1
            return
        parsed.add(swap, first.line, TRADE)
    elif len(main) == 1:
        if main[0].asset in FIAT and kind in MOVE_TYPES:
            parsed.skipped[f"{first.kind} ({main[0].asset})"] += 1  # cash in and out
            return
        _one(main[0], kind, origin, fee, parsed)
    else:  # fee rows alone (a network fee), or several rows of one type: each on its own
        for index, row in enumerate(rows):
            one = replace(origin, trade_id=f"{row.group}:{index}") if len(rows) > 1 else origin
            if row.record in FEE_RECORDS:
                parsed.add(spend(replace(one, note=f"{row.kind} {row.record}"), _flow(row)), row.line, FEE)
            else:
                _one(row, kind, one, None, parsed)
        return
    for index, row in enumerate(fees[1:], start=1):  # a second fee, in another asset: a disposal of its own
        extra = replace(origin.with_id(f"fee{index}"), note=f"{row.kind} {row.record}")
        parsed.add(spend(extra, _flow(row)), row.line, FEE)


def _one(row: _Row, kind: str, origin: Origin, fee: Flow | None, parsed: Parsed) -> None:
    """The event of one balance change, by its transaction's type."""
    moved = _flow(row)
    if kind in MOVE_TYPES:
        parsed.add(transfer(origin, moved, outgoing=row.amount < 0, fee=fee), row.line, TRANSFER)
    elif kind in INCOME_TYPES and row.amount > 0:
        parsed.add(income(origin, moved, fee), row.line, INCOME)
    elif kind in SPEND_TYPES and row.amount < 0:
        parsed.add(spend(origin, moved, fee), row.line, FEE if kind == "network fee" else TRADE)
    else:  # losses, margin gains, manual positions, types harvest does not know
        parsed.add(unclassified(replace(origin, note=row.kind), moved), row.line, UNCLASSIFIED)


def _flow(row: _Row) -> Flow:
    return Flow(row.asset, Amount(abs(row.amount)))


COINLEDGER = Format(
    key="coinledger",
    name="CoinLedger transaction export",
    export_path="app.coinledger.io → Transactions → Export (CSV)",
    reads="trades (the rows sharing an Internal Id: debit, credit and fee; crypto for crypto flagged as needing "
    "a price), deposits, withdrawals and transfers (with their blockchain id), gifts, income types and spends "
    "(flagged: the export has no USD values); each in the account named by its Account Name or Platform",
    skips="cash deposits and withdrawals; losses, margin gains and manual positions are kept unclassified",
    versions=(Version("export", HEADER),),
    parse=parse,
    core=frozenset(name.lower() for name in REQUIRED),
    zone="UTC",
)
