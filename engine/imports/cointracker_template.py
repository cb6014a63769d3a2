"""CoinTracker CSV import template: the file users fill in for a wallet CoinTracker cannot read
(CoinTracker → Add wallet → Import from CSV → the template), one file per wallet.

A row with both sides is a trade (USD on one side: a buy or sell in USD; crypto for crypto has
no USD value in this template and is flagged as needing a price); a row with only a received
side is income by its Tag (staked, airdrop, mined, fork, payment, income, interest) else a
transfer in (a gift too); one with only a sent side is a spend when tagged payment, else a
transfer out (a gift or donation too); stake and unstake are moves inside the wallet (skipped;
their fee is a spend); lost and burnt coins are kept unclassified. The fee is ON TOP of the sent
amount, in its own currency. Dates are US style, `06/14/2023 18:49:21`, in UTC. The rows land in
--account (default `cointracker`)."""

from __future__ import annotations

from engine.imports.cointracker import moved_event
from engine.imports.formats import FEE, TRADE, Format, Options, Parsed, Table, Version
from engine.imports.row_events import Origin, read_flow, spend, trade
from engine.imports.rows import Cells

HEADER = ("Date", "Received Quantity", "Received Currency", "Sent Quantity", "Sent Currency", "Fee Amount",
          "Fee Currency", "Tag")  # fmt: skip


def parse(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    if not cells.require(table.header_line, HEADER[:5]):
        return
    account = options.account or "cointracker"
    for line, values in table.rows:
        cells.start(values, line)
        before = len(parsed.problems)
        timestamp = cells.time("Date", options.zone)
        received = read_flow(cells, "Received Quantity", "Received Currency")
        sent = read_flow(cells, "Sent Quantity", "Sent Currency")
        fee = read_flow(cells, "Fee Amount", "Fee Currency")
        if len(parsed.problems) > before or timestamp is None:
            continue
        tag_text = cells.get("Tag")
        origin = Origin(account, timestamp, table.label, note=tag_text or None)
        if sent is not None and received is not None:
            event = trade(origin, sent, received, fee)
            if event is None:
                parsed.skipped[f"trade ({sent.asset} to {received.asset})"] += 1
            else:
                parsed.add(event, line, TRADE)
        elif received is not None:
            moved_event(cells, tag_text.lower(), origin, received, fee, True, "", parsed)
        elif sent is not None:
            moved_event(cells, tag_text.lower(), origin, sent, fee, False, "", parsed)
        elif fee is not None:  # a fee on its own
            parsed.add(spend(origin, fee), line, FEE)
        else:
            cells.bad("Received Quantity", "no amount received, sent or paid as a fee")


COINTRACKER_TEMPLATE = Format(
    key="cointracker-template",
    name="CoinTracker CSV template",
    export_path="the CSV you fill from CoinTracker's import template (Add wallet → Import from CSV)",
    reads="trades (in USD; crypto for crypto flagged as needing a price), receives and sends by Tag (income, "
    "payments, gifts, else transfers), fee-only rows; the fee is on top of the sent amount",
    skips="stake and unstake rows (their fee is a spend)",
    versions=(Version("template", HEADER),),
    parse=parse,
    core=frozenset(name.lower() for name in HEADER),
    default_account="cointracker",
    zone="UTC",
)
