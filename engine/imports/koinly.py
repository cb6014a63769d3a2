"""Koinly transaction export: Koinly → Transactions → ⋯ → Export (CSV), one row per transaction
across all the wallets Koinly tracks.

Each row lands in the account named by its wallet (`Sending Wallet` for what leaves,
`Receiving Wallet` for what arrives) unless --account puts them all in one. Types: buy, sell
and exchange are trades valued at `Net Value (USD)`; transfer is a move between two own wallets
(one row, both sides: a transfer out of one and in to the other, paired by the ledger); crypto
deposits and withdrawals are income or spends by their Label, else transfers in from or out to
outside; fiat deposits and withdrawals are cash (skipped). The fee is on top of the sent amount,
in its own currency, valued at `Fee Value (USD)`. Koinly's cost basis and gain columns are not
read (harvest computes its own). Times are `2024-03-05 14:22:10 UTC`. An export in another
fiat currency (`Net Value (EUR)`) is read without its values: each is flagged as needing a
USD price."""

from __future__ import annotations

import re
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
from engine.ledger.events import USD

# Labels (Koinly writes them with underscores in the export, with spaces in its template)
INCOME_LABELS = frozenset({"airdrop", "fork", "mining", "reward", "income", "loan interest", "other income",
                           "staking", "lending interest"})  # fmt: skip
GIFT_LABELS = frozenset({"gift", "donation"})  # leave (or arrive) without a sale: like a transfer
SPEND_LABELS = frozenset({"cost", "interest payment", "margin fee", "loan fee"})
TRADE_TYPES = frozenset({"buy", "sell", "exchange"})
_VALUE = re.compile(r"net value \((\w{3})\)", re.IGNORECASE)

HEADER = ("Date", "Type", "Label", "Sending Wallet", "Sent Amount", "Sent Currency", "Sent Cost Basis",
          "Receiving Wallet", "Received Amount", "Received Currency", "Received Cost Basis", "Fee Amount",
          "Fee Currency", "Gain (USD)", "Net Value (USD)", "Fee Value (USD)", "TxSrc", "TxDest", "TxHash",
          "Description")  # fmt: skip
REQUIRED = ("Date", "Type", "Sending Wallet", "Sent Amount", "Sent Currency", "Receiving Wallet",
            "Received Amount", "Received Currency", "Fee Amount", "Fee Currency")  # fmt: skip


def label_of(text: str) -> str:
    return text.strip().lower().replace("_", " ")


def parse(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    if not cells.require(table.header_line, REQUIRED):
        return
    fiat, value_column = USD, None
    for name in table.header:
        if (found := _VALUE.fullmatch(name.strip())) is not None:
            fiat, value_column = found.group(1).upper(), name.strip()
    if fiat != USD:
        value_column = None
        parsed.notes.append(
            f"values are in {fiat}, not USD: rows are kept and flagged as needing a USD price"
        )
    fee_value_column = "Fee Value (USD)" if fiat == USD else None
    wallets: set[str] = set()
    for line, values in table.rows:
        cells.start(values, line)
        before = len(parsed.problems)
        timestamp = cells.time("Date", options.zone)
        kind_text = cells.get("Type")
        if not kind_text:
            cells.bad("Type", "missing value")
        value = cells.number(value_column, required=False, money=True)
        fee_usd = cells.number(fee_value_column, required=False, money=True)
        sent = read_flow(cells, "Sent Amount", "Sent Currency")
        received = read_flow(cells, "Received Amount", "Received Currency")
        fee = read_flow(
            cells, "Fee Amount", "Fee Currency", None if fee_usd is None else Amount(abs(fee_usd))
        )
        if len(parsed.problems) > before or timestamp is None:
            continue
        out_wallet = options.account or cells.get("Sending Wallet") or "koinly"
        in_wallet = options.account or cells.get("Receiving Wallet") or "koinly"
        out = Origin(out_wallet, timestamp, table.label, tx_id=cells.get("TxHash") or None,
                     note=f"{kind_text} {cells.get('Label')}".strip())  # fmt: skip
        usd = None if value is None else Amount(abs(value))
        reader = _Row(cells, out, replace(out, account=in_wallet), usd, fee)
        used = reader.read(kind_text, label_of(cells.get("Label")), sent, received, parsed)
        wallets.update(used)
    if not options.account and wallets:
        parsed.notes.append(f"rows land in the accounts named by their wallets: {', '.join(sorted(wallets))} "
                            "(--account NAME puts them all in one)")  # fmt: skip


class _Row:
    """One row's events, by its Type and Label."""

    def __init__(self, cells: Cells, out: Origin, into: Origin, usd: Amount | None, fee: Flow | None) -> None:
        self.cells, self.out, self.into, self.usd, self.fee = cells, out, into, usd, fee
        self.line = cells.line

    def read(
        self, kind_text: str, label: str, sent: Flow | None, received: Flow | None, parsed: Parsed
    ) -> set[str]:
        """Adds the row's events; returns the accounts they landed in."""
        kind, line, fee = kind_text.lower(), self.line, self.fee
        if kind in TRADE_TYPES or kind == "transfer":
            if sent is None or received is None:
                missing = "Sent Amount" if sent is None else "Received Amount"
                self.cells.bad(missing, f"missing value (a {kind_text} has both sides)")
                return set()
            if kind == "transfer":
                return self.transfer(kind_text, sent, received, parsed)
            event = trade(self.out, replace(sent, usd=self.usd), replace(received, usd=self.usd), fee)
            if event is None:
                parsed.skipped[f"{kind_text} ({sent.asset} to {received.asset})"] += 1
                return set()
            parsed.add(event, line, TRADE)
            return {self.out.account}
        if kind.endswith("deposit") or kind.endswith("withdrawal"):
            incoming = kind.endswith("deposit")
            moved = received if incoming else sent
            if moved is None:
                missing = "Received Amount" if incoming else "Sent Amount"
                self.cells.bad(missing, f"missing value (a {kind_text} moves an amount)")
                return set()
            if moved.asset in FIAT:
                parsed.skipped[f"{kind_text} ({moved.asset})"] += 1  # cash in and out
                return set()
            moved = replace(moved, usd=self.usd)
            origin = self.into if incoming else self.out
            address = self.cells.get("TxSrc" if incoming else "TxDest")
            if (label in INCOME_LABELS) if incoming else (label in SPEND_LABELS):
                event = income(origin, moved, fee) if incoming else spend(origin, moved, fee)
                parsed.add(event, line, INCOME if incoming else TRADE)
            elif not label or label in GIFT_LABELS:
                parsed.add(
                    transfer(origin, moved, outgoing=not incoming, fee=fee, address=address), line, TRANSFER
                )
            else:
                parsed.add(unclassified(origin, moved), line, UNCLASSIFIED)
            return {origin.account}
        flow = sent or received
        if flow is None:
            parsed.skipped[f"{kind_text} (no amount)"] += 1
            return set()
        origin = self.out if sent else self.into
        parsed.add(unclassified(origin, flow), line, UNCLASSIFIED)
        return {origin.account}

    def transfer(self, kind_text: str, sent: Flow, received: Flow, parsed: Parsed) -> set[str]:
        """Between two own wallets: out of one (the fee on top, in its currency) and into the other."""
        out, into = self.out.account, self.into.account
        if out == into:  # --account put both wallets in one: nothing moved but the fee
            parsed.skipped[f"{kind_text} (inside one account)"] += 1
            if self.fee is not None:
                parsed.add(spend(replace(self.out, note=f"{kind_text} fee"), self.fee), self.line, FEE)
            return {out}
        parsed.add(transfer(self.out, sent, outgoing=True, fee=self.fee, address=self.cells.get("TxDest"),
                            counterpart=into), self.line, TRANSFER)  # fmt: skip
        parsed.add(transfer(self.into, received, outgoing=False, address=self.cells.get("TxSrc"), counterpart=out),
                   self.line, TRANSFER)  # fmt: skip
        return {out, into}


KOINLY = Format(
    key="koinly",
    name="Koinly transaction export",
    export_path="app.koinly.io → Transactions → ⋯ (top right) → Export (CSV)",
    reads="buys, sells and exchanges (valued at Net Value), transfers between your wallets (both sides), "
    "crypto deposits and withdrawals by Label (income, spends, gifts, else transfers), fees in their currency",
    skips="fiat deposits and withdrawals; Koinly's cost basis and gain columns (harvest computes its own)",
    versions=(Version("transaction history", HEADER),),
    parse=parse,
    core=frozenset(name.lower() for name in REQUIRED) | {"label", "txhash"},
    zone="UTC",
)
