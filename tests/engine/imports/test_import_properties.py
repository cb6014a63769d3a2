"""Properties of the native importers, over generated Coinbase and Kraken exports: a valid file
re-imports with no change; shuffled rows give the same ledger; a file cut mid-row is refused
whole, and one cut at a row boundary imports a subset of what the whole file does (the rule the
README states)."""

from __future__ import annotations

import itertools
import random
import re
from collections.abc import Callable
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from engine.core.errors import CsvImportError
from engine.imports.formats import Options
from engine.imports.importer import read_text
from engine.ledger.lots import match_lots
from engine.store.store import Store, keys_of

pytestmark = pytest.mark.slow
NO_OPTIONS = Options(None, None, None)
FRESH = itertools.count()  # a new store per example (tmp_path is shared by hypothesis's examples)
SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
T0 = 1_577_836_800  # 2020-01-01T00:00:00Z
QUANTITIES = st.decimals(min_value="0.00000001", max_value="50", places=8).map(lambda d: f"{d:f}")
MONEY = st.decimals(min_value="0.01", max_value="90000", places=2)
SECONDS = st.integers(0, 4 * 365 * 86_400)
CB_HEADER = (
    "ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,Price at Transaction,Subtotal,"
    "Total (inclusive of fees and/or spread),Fees and/or Spread,Notes,Sender Address,Recipient Address"
)
KR_HEADER = (
    '"txid","refid","time","type","subtype","aclass","subclass","asset","wallet","amount","fee","balance"'
)


def utc(seconds: int, coinbase: bool) -> str:
    from datetime import UTC, datetime

    moment = datetime.fromtimestamp(T0 + seconds, tz=UTC)
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC" if coinbase else "%Y-%m-%d %H:%M:%S")


@st.composite
def coinbase_rows(draw: st.DrawFn) -> list[str]:
    rows = []
    for n in range(draw(st.integers(1, 25))):
        kind = draw(st.sampled_from(["Buy", "Sell", "Send", "Receive", "Staking Income", "Convert", "Deposit",
                                     "Retail Staking Transfer", "Mystery Payout", "Advanced Trade Buy"]))  # fmt: skip
        asset = "USD" if kind == "Deposit" else draw(st.sampled_from(["BTC", "ETH", "SOL"]))
        qty, price, subtotal, fee = draw(QUANTITIES), draw(MONEY), draw(MONEY), draw(MONEY)
        out = kind in ("Sell", "Send", "Convert")
        total = subtotal - fee if out else subtotal + fee
        notes = {"Convert": f"Converted {qty} {asset} to 12.5 USDC", "Send": f"Sent {qty} {asset} to addr{n}",
                 "Advanced Trade Buy": f"Bought {qty} {asset} for {total} USDC on {asset}-USDC at {price} USDC/{asset}"}  # fmt: skip
        rows.append(",".join([
            f"id{n:04x}", utc(draw(SECONDS), True), kind, asset, f"-{qty}" if out else qty, "USD", f"${price}",
            f'"${subtotal:,}"', f'"${total:,}"', f"${fee}", notes.get(kind, ""), "", f"addr{n}" if kind == "Send" else "",
        ]))  # fmt: skip
    return rows


@st.composite
def kraken_rows(draw: st.DrawFn) -> list[str]:
    rows = []
    for n in range(draw(st.integers(1, 20))):
        kind = draw(st.sampled_from(["trade", "staking", "deposit", "withdrawal", "transfer", "earn"]))
        when = utc(draw(SECONDS), False)
        asset = draw(st.sampled_from(["XXBT", "XETH", "SOL", "DOT.S"]))
        qty, cost, fee = draw(QUANTITIES), draw(MONEY), draw(MONEY)
        line = '"L{n}{leg}","R{n}","{when}","{kind}","{sub}","currency","crypto","{asset}","spot / main",{amount},{fee},0'
        if kind == "trade":
            buying = draw(st.booleans())
            rows.append(line.format(n=n, leg="A", when=when, kind=kind, sub="", asset="ZUSD",
                                    amount=f"-{cost}" if buying else cost, fee=fee))  # fmt: skip
            rows.append(line.format(n=n, leg="B", when=when, kind=kind, sub="", asset=asset,
                                    amount=qty if buying else f"-{qty}", fee=0))  # fmt: skip
        else:
            sub = {"transfer": "spottostaking", "earn": "allocation"}.get(kind, "")
            amount = f"-{qty}" if kind == "withdrawal" else qty
            rows.append(
                line.format(n=n, leg="A", when=when, kind=kind, sub=sub, asset=asset, amount=amount, fee=0)
            )
    return rows


def coinbase_file(rows: list[str]) -> str:
    return "\r\n".join(["", "Transactions", "User,x,y", CB_HEADER, *rows]) + "\r\n"


def kraken_file(rows: list[str]) -> str:
    return "\n".join([KR_HEADER, *rows]) + "\n"


SAME_SECOND = re.compile(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}")


def results(
    tmp_path: Path, text: str, name: str
) -> tuple[int, list[tuple[object, ...]], list[tuple[object, ...]]]:
    """Import into a fresh store: (events added, realized rows, open lots), pool ids left out."""
    with Store(tmp_path / f"{name}.sqlite3") as store:
        summary = store.import_events(
            keys_of(read_text(text, "f.csv", NO_OPTIONS).events), "f", frozenset({"USD"})
        )
        result = match_lots(store.ledger())
    return summary.added, sorted(map(tuple, result.realized)), sorted(map(tuple, result.open_lots))


FILES: list[tuple[str, Callable[[list[str]], str], st.SearchStrategy[list[str]]]] = [
    ("coinbase", coinbase_file, coinbase_rows()),
    ("kraken", kraken_file, kraken_rows()),
]


@pytest.mark.parametrize(("name", "render", "rows"), FILES, ids=[f[0] for f in FILES])
def test_a_valid_file_reimports_with_no_change(tmp_path, name, render, rows):
    @SETTINGS
    @given(rows)
    def check(lines: list[str]) -> None:
        text = render(lines)
        path = tmp_path / f"{name}-{next(FRESH)}.sqlite3"
        with Store(path) as store:
            events = read_text(text, "f.csv", NO_OPTIONS).events
            store.import_events(keys_of(events), "a", frozenset({"USD"}))
            before = store.ledger()
            again = store.import_events(
                keys_of(read_text(text, "f.csv", NO_OPTIONS).events), "b", frozenset({"USD"})
            )
            assert (again.added, again.conflicts) == (0, ())
            assert store.ledger() == before

    check()


@pytest.mark.parametrize(("name", "render", "rows"), FILES, ids=[f[0] for f in FILES])
def test_shuffled_rows_give_the_same_ledger(tmp_path, name, render, rows):
    @SETTINGS
    @given(rows, st.randoms(use_true_random=False))
    def check(lines: list[str], shuffler: random.Random) -> None:
        # rows at different times in any order; rows at the same second keep the file's order,
        # which decides ties (which of two same-second buys FIFO takes first; README, Times)
        groups: dict[str, list[str]] = {}
        for line in lines:
            groups.setdefault(SAME_SECOND.search(line).group(0), []).append(line)  # type: ignore[union-attr]
        order = list(groups)
        shuffler.shuffle(order)
        shuffled = [line for moment in order for line in groups[moment]]
        first = read_text(render(lines), "f.csv", NO_OPTIONS).events
        second = read_text(render(shuffled), "f.csv", NO_OPTIONS).events
        assert sorted(keys_of(first)) == sorted(keys_of(second))
        tag = f"{name}-{next(FRESH)}"
        assert results(tmp_path, render(lines), tag + "a") == results(tmp_path, render(shuffled), tag + "b")

    check()


@pytest.mark.parametrize(("name", "render", "rows"), FILES, ids=[f[0] for f in FILES])
def test_a_file_cut_mid_row_is_refused_whole_and_at_a_row_boundary_imports_a_subset(name, render, rows):
    @SETTINGS
    @given(rows, st.data())
    def check(lines: list[str], data: st.DataObject) -> None:
        text = render(lines)
        whole = set(keys_of(read_text(text, "f.csv", NO_OPTIONS).events))
        header_end = text.index("\n", text.index("Transaction Type" if name == "coinbase" else "txid")) + 1
        cut = data.draw(st.integers(header_end, len(text) - 1))
        part = text[:cut]
        if part.endswith(("\n", "\r")):  # at a row boundary: a shorter export
            kept = {
                key
                for key, event in keys_of(read_text(part, "f.csv", NO_OPTIONS).events)
                if event.side != "unclassified"
            }
            assert kept <= {key for key, event in whole if event.side != "unclassified"}
        else:
            with pytest.raises(CsvImportError):
                read_text(part, "f.csv", NO_OPTIONS)

    check()
