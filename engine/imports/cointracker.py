"""CoinTracker transaction export: CoinTracker → Transactions → Export → CSV, one row per
transaction across the wallets CoinTracker tracks.

Rows land in the account named by their wallet (`Coinbase - 1234` is `Coinbase`) unless
--account puts them all in one. Types: Buy, Sell and Trade are trades (crypto for crypto valued
at the received side's `Received Cost Basis (USD)`, which CoinTracker sets to its fair market
value); Receive is income by its Received Tag (staked, airdrop, mined, fork, payment, income,
interest; valued at Received Cost Basis) else a transfer in (a gift too); Send is a spend by its
Sent Tag (payment: proceeds are the sent cost basis plus the realized return) else a transfer out
(a gift or donation too); Transfer moves between two own wallets (one row, both sides); Staking
Reward, Interest, Airdrop, Mining and Income rows are income. The fee is on top of the sent
amount, in its own currency. Rows marked Ignored in CoinTracker are skipped; lost and burnt coins
are kept unclassified. Dates are US style, `06/14/2023 18:49:21`, in UTC. The export may end
with a note row starting `...` (skipped)."""

from __future__ import annotations

from dataclasses import replace

from engine.core.units import Amount
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
from engine.imports.row_events import (
    FIAT,
    Flow,
    Origin,
    income,
    read_flow,
    spend,
    trade,
    transfer,
    unclassified,
)
from engine.imports.rows import Cells

TRADE_TYPES = frozenset({"buy", "sell", "trade"})
INCOME_TYPES = frozenset({"staking reward", "interest", "airdrop", "mining", "income", "fork"})
INCOME_TAGS = frozenset({"staked", "staking", "airdrop", "mined", "mining", "fork", "payment", "income",
                         "interest", "reward"})  # fmt: skip
GIFT_TAGS = frozenset({"gift", "donation"})  # arrive or leave without a sale: like a transfer
SPEND_TAGS = frozenset({"payment"})
INTERNAL_TAGS = frozenset({"stake", "unstake"})  # into and out of staking inside one wallet

HEADER = ("Date", "Type", "Transaction ID", "Received Quantity", "Received Currency", "Received Cost Basis (USD)",
          "Received Wallet", "Received Address", "Received Tag", "Received Comment", "Sent Quantity",
          "Sent Currency", "Sent Cost Basis (USD)", "Sent Wallet", "Sent Address", "Sent Tag", "Sent Comment",
          "Fee Amount", "Fee Currency", "Realized Return (USD)", "Ignored")  # fmt: skip
REQUIRED = ("Date", "Type", "Received Quantity", "Received Currency", "Sent Quantity", "Sent Currency")


def wallet_name(text: str) -> str:
    """`Coinbase - 1234` is the Coinbase wallet."""
    return text.split(" - ", 1)[0].strip()


def parse(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    if not cells.require(table.header_line, REQUIRED):
        return
    wallets: set[str] = set()
    for line, values in table.rows:
        cells.start(values, line)
        before = len(parsed.problems)
        timestamp = cells.time("Date", options.zone)
        kind_text = cells.get("Type")
        if not kind_text:
            cells.bad("Type", "missing value")
        received_usd = cells.number("Received Cost Basis (USD)", required=False, money=True)
        sent_basis = cells.number("Sent Cost Basis (USD)", required=False, money=True)
        gain = cells.number("Realized Return (USD)", required=False, money=True)
        received = read_flow(cells, "Received Quantity", "Received Currency",
                             None if received_usd is None else Amount(abs(received_usd)))  # fmt: skip
        sent = read_flow(cells, "Sent Quantity", "Sent Currency")
        fee = read_flow(cells, "Fee Amount", "Fee Currency")
        if len(parsed.problems) > before or timestamp is None:
            continue
        if cells.get("Ignored").lower() in ("true", "yes", "1"):
            parsed.skipped[f"{kind_text} (ignored in CoinTracker)"] += 1
            continue
        if sent is not None and kind_text.lower() == "send" and sent_basis is not None and gain is not None:
            sent = replace(sent, usd=Amount(sent_basis + gain))  # a payment's proceeds: basis plus return
        out_wallet = options.account or wallet_name(cells.get("Sent Wallet")) or "cointracker"
        in_wallet = options.account or wallet_name(cells.get("Received Wallet")) or "cointracker"
        row_id = cells.get("Transaction ID") or None
        out = Origin(out_wallet, timestamp, table.label, trade_id=row_id, note=kind_text)
        into = replace(out, account=in_wallet)
        wallets.update(_row(cells, kind_text, out, into, sent, received, fee, parsed))
    if not options.account and wallets:
        parsed.notes.append(f"rows land in the accounts named by their wallets: {', '.join(sorted(wallets))} "
                            "(--account NAME puts them all in one)")  # fmt: skip


def _row(cells: Cells, kind_text: str, out: Origin, into: Origin, sent: Flow | None, received: Flow | None,
         fee: Flow | None, parsed: Parsed) -> set[str]:  # fmt: skip
    """Adds one row's events; returns the accounts they landed in."""
    kind, line = kind_text.lower(), cells.line
    if kind in TRADE_TYPES or kind == "transfer":
        if sent is None or received is None:
            missing = "Sent Quantity" if sent is None else "Received Quantity"
            cells.bad(missing, f"missing value (a {kind_text} has both sides)")
            return set()
        if kind == "transfer":
            if out.account == into.account:  # --account put both wallets in one: only the fee happened
                parsed.skipped[f"{kind_text} (inside one account)"] += 1
                if fee is not None:
                    parsed.add(spend(out.with_id("fee"), fee), line, FEE)
                return {out.account}
            parsed.add(transfer(out, sent, outgoing=True, fee=fee, address=cells.get("Sent Address"),
                                counterpart=into.account), line, TRANSFER)  # fmt: skip
            parsed.add(transfer(into.with_id("in"), received, outgoing=False, address=cells.get("Received Address"),
                                counterpart=out.account), line, TRANSFER)  # fmt: skip
            return {out.account, into.account}
        event = trade(into, sent, received, fee)
        if event is None:
            parsed.skipped[f"{kind_text} ({sent.asset} to {received.asset})"] += 1
            return set()
        parsed.add(event, line, TRADE)
        return {into.account}
    if kind in INCOME_TYPES and received is not None:
        parsed.add(income(into, received, fee), line, INCOME)
        return {into.account}
    if kind in ("receive", "send"):
        incoming = kind == "receive"
        moved = received if incoming else sent
        if moved is None:
            cells.bad(
                "Received Quantity" if incoming else "Sent Quantity",
                f"missing value (a {kind_text} moves an amount)",
            )
            return set()
        if moved.asset in FIAT:
            parsed.skipped[f"{kind_text} ({moved.asset})"] += 1  # cash in and out
            return set()
        tag = cells.get("Received Tag" if incoming else "Sent Tag").lower()
        address = cells.get("Received Address" if incoming else "Sent Address")
        return {moved_event(cells, tag, into if incoming else out, moved, fee, incoming, address, parsed)}
    flow = sent or received
    if flow is None:
        parsed.skipped[f"{kind_text} (no amount)"] += 1
        return set()
    origin = out if sent else into
    parsed.add(unclassified(origin, flow), line, UNCLASSIFIED)
    return {origin.account}


def moved_event(cells: Cells, tag: str, origin: Origin, moved: Flow, fee: Flow | None, incoming: bool,
                address: str, parsed: Parsed) -> str:  # fmt: skip
    """A receive or send by its tag (shared with the CoinTracker template); returns its account."""
    line = cells.line
    if tag in INTERNAL_TAGS:
        parsed.skipped[tag] += 1
        if fee is not None:
            parsed.add(spend(origin.with_id("fee"), fee), line, FEE)
    elif incoming and tag in INCOME_TAGS:
        parsed.add(income(origin, moved, fee), line, INCOME)
    elif not incoming and tag in SPEND_TAGS:
        parsed.add(spend(origin, moved, fee), line, TRADE)
    elif not tag or tag in GIFT_TAGS:
        parsed.add(transfer(origin, moved, outgoing=not incoming, fee=fee, address=address), line, TRANSFER)
    else:
        note = origin.note if tag in (origin.note or "").lower() else f"{origin.note or ''} {tag}".strip()
        parsed.add(unclassified(replace(origin, note=note), moved), line, UNCLASSIFIED)
    return origin.account


COINTRACKER = Format(
    key="cointracker",
    name="CoinTracker transaction export",
    export_path="cointracker.io → Transactions → Export → CSV",
    reads="buys, sells and trades (crypto for crypto at the received side's USD cost basis), receives and sends "
    "by tag (income, spends, gifts, else transfers), transfers between your wallets (both sides), staking, "
    "interest, airdrop and mining rows (income), fees in their currency",
    skips="rows marked Ignored; stake and unstake moves; the closing `...` note",
    versions=(Version("transaction history", HEADER),),
    parse=parse,
    core=frozenset(name.lower() for name in REQUIRED) | {"transaction id", "received wallet", "sent wallet"},
    zone="UTC",
    footer="...",
)
