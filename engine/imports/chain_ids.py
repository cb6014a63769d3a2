"""Trade ids for wallet rows: the on-chain transaction id, which reports show as the lot or sale
id. A transaction a file lists more than once for one account (one row per output) has its
repeats numbered `<tx>:2`, `<tx>:3` in an order fixed by content, not by the file's row order, so
a re-export or a shuffled file gives every row the same id again."""

from __future__ import annotations

from engine.imports.formats import Parsed


def number_repeats(parsed: Parsed, start: int = 0) -> None:
    """Give each event added since `start` its tx id as trade id, numbering repeats."""
    groups: dict[tuple[str, str], list[int]] = {}
    for index in range(start, len(parsed.events)):
        event = parsed.events[index]
        if event.tx_id:
            groups.setdefault((event.account, event.tx_id), []).append(index)
    for (_account, tx), indices in groups.items():
        ordered = sorted(indices, key=lambda i: _content(parsed, i))
        for position, index in enumerate(ordered, start=1):
            trade_id = tx if position == 1 else f"{tx}:{position}"
            parsed.events[index] = parsed.events[index]._replace(trade_id=trade_id)


def _content(parsed: Parsed, index: int) -> tuple[int, str, str, int, int, str]:
    e = parsed.events[index]
    return (e.timestamp, e.side, e.asset, e.quantity, e.fee, e.address or "")
