"""Etherscan normal, internal and ERC-20 exports: whose address, gas only on what it sent (failed
ones too), token identity by contract, and the lots and gains they produce, checked by hand."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from engine.core import fixedpoint as fp
from engine.core.errors import CsvImportError
from engine.imports.formats import Options
from engine.imports.importer import FileReport, read_file, read_text
from engine.ledger.events import Event
from engine.ledger.legs import build_ledger
from engine.ledger.lots import match_lots

FIXTURES = Path(__file__).resolve().parents[2] / "fixtures" / "imports"
NO_OPTIONS = Options(None, None, None)
OWN = "0x5a0b54d5dc17e0aadc383d2db43b0a0d3e029c4c"
EXCHANGE = "0x28c6c06298d514db089934071355e5743bf21d60"
FRIEND = "0x4838b106fce9647bdf1e7877bf73ce8b0bad5f97"
ACCOUNT = "ethereum:0x5a0b…9c4c"


def h(n: int) -> str:
    return "0x" + f"{n:02x}" * 32


def d(text: str) -> int:
    return fp.parse(text)


def read(name: str, options: Options = NO_OPTIONS) -> FileReport:
    return read_file(FIXTURES / name, options)


def test_normal_transactions_gas_only_on_what_the_address_sent():
    report = read("etherscan/Transaction-Hash.csv")
    assert (report.format.key, report.version, report.account) == (
        "etherscan", "Transaction Hash, Method, TxnFee(USD), 16 columns", ACCOUNT)  # fmt: skip
    assert report.counts() == {"transfer": 2, "fee": 2}
    assert report.parsed.skipped == {
        "failed transaction (sent by another address)": 1,  # its gas was the sender's
        "no ETH moved and no gas paid by this address": 1,
    }
    by_tx = {e.tx_id: e for e in report.events}
    received = by_tx[h(1)]  # 1.5 ETH in; the exchange paid the gas (0.000441): not ours
    assert (received.side, received.quantity, received.fee, received.address, received.timestamp) == (
        "transfer_in", d("1.5"), 0, EXCHANGE, 1_704_067_200 * 1_000_000)  # fmt: skip
    sent = by_tx[h(2)]  # 0.4 out, gas 0.00105 ETH worth TxnFee(USD) 2.415
    assert (sent.side, sent.quantity, sent.fee, sent.fee_asset, sent.fee_usd, sent.address, sent.trade_id) == (
        "transfer_out", d("0.4"), d("0.00105"), "ETH", d("2.415"), FRIEND, h(2))  # fmt: skip
    call = by_tx[h(3)]  # a token transfer: no ETH moved, gas 0.0021; TxnFee(USD) blank: 0.0021 x 2500
    assert (call.side, call.quantity, call.subtotal, call.price, call.note) == (
        "spend", d("0.0021"), d("5.25"), d("2500"), "gas: Transfer")  # fmt: skip
    failed = by_tx[h(4)]  # failed: the 0.2 ETH did not move, the gas 0.0005 ($1.50) was paid
    assert (failed.side, failed.quantity, failed.subtotal) == ("spend", d("0.0005"), d("1.5"))
    assert failed.note == "failed transaction (Error(0)): gas only"
    assert report.fees() == (3, 3)


def test_normal_transactions_lots_and_gains_by_hand():
    # 1.6 ETH bought on an exchange for $3,200 ($2,000 each); 1.5 of it withdrawn in tx h(1)
    bought = Event(account="exchange", asset="ETH", side="buy", timestamp=1_701_388_800_000_000, quantity=d("1.6"),
                   price=d("2000"), fee=0, subtotal=d("3200"), trade_id="B1")  # fmt: skip
    withdrawn = Event(account="exchange", asset="ETH", side="transfer_out", timestamp=1_704_067_100_000_000,
                      quantity=d("1.5"), price=None, fee=0, tx_id=h(1), trade_id="W1")  # fmt: skip
    result = match_lots(
        build_ledger([bought, withdrawn, *read("etherscan/Transaction-Hash.csv").events]), "fifo"
    )
    rows = [(r.sale_id, fp.fmt(r.quantity, 0), fp.fmt(r.proceeds, 0), fp.fmt(r.cost_basis, 0), fp.fmt(r.gain, 0))
            for r in result.realized]  # fmt: skip
    # the withdrawal pairs with the receive by tx id: 1.5 ETH arrive with basis 3000 (1.5/1.6 of 3200);
    # 0.4 leaves for a friend (untracked); each gas payment is a disposal at $2,000 basis per ETH:
    # 0.00105 -> 2.415 - 2.10 = 0.315; 0.0021 -> 5.25 - 4.20 = 1.05; the failed tx's 0.0005 -> 1.50 - 1.00
    assert rows == [
        (f"{h(2)}:fee", "0.00105", "2.415", "2.1", "0.315"),
        (h(3), "0.0021", "5.25", "4.2", "1.05"),
        (h(4), "0.0005", "1.5", "1", "0.5"),
    ]
    (sent_away,) = [w for w in result.warnings if "untracked" in w]
    assert sent_away == f"{h(2)}: 0.4 ETH sent out of {ACCOUNT} to no known account; untracked"
    ((account, lot_quantity, basis),) = [
        (o.account, o.quantity, o.basis) for o in result.open_lots if o.account != "exchange"
    ]
    assert (account, fp.fmt(lot_quantity, 0), fp.fmt(basis, 0)) == (
        ACCOUNT,
        "1.09635",
        "2192.7",
    )  # 1.5 - 0.4 - 0.00365 gas


def test_older_txhash_layout_values_gas_from_the_day_price():
    report = read("etherscan/Txhash.csv")
    assert report.version == "Txhash, TxnFee(USD), PrivateNote, 16 columns"
    sent = next(e for e in report.events if e.side == "transfer_out")
    assert (sent.fee, sent.fee_usd) == (d("0.00126"), d("1.638"))  # TxnFee(USD) blank: 0.00126 x $1,300


def test_internal_transactions():
    report = read("etherscan-internal/Transaction-Hash.csv")
    assert (report.format.key, report.version, report.account) == (
        "etherscan-internal", "Transaction Hash, 17 columns", ACCOUNT)  # fmt: skip
    assert [(e.side, fp.fmt(e.quantity, 0), e.tx_id, e.fee) for e in report.events] == [
        ("transfer_in", "0.25", h(7), 0), ("transfer_in", "0.05", h(16), 0)]  # fmt: skip
    assert report.parsed.skipped == {"failed internal transaction": 1}


def test_tokens_keep_their_contract_and_a_known_symbol_from_another_contract_is_kept_apart():
    report = read("etherscan-tokens/Transaction-Hash.csv")
    assert (report.format.key, report.version) == (
        "etherscan-tokens", "Transaction Hash, TokenValue, USDValueDayOfTx, 11 columns")  # fmt: skip
    assert [(e.side, e.asset, fp.fmt(e.quantity, 0)) for e in report.events] == [
        ("transfer_in", "USDC", "1250.5"),  # "1,250.5": thousands separators
        ("transfer_out", "USDC", "200"),
        ("transfer_in", "USDC-0x0bad0bad", "1000"),  # calls itself USDC; another contract
        ("transfer_in", "FOO-0x1111aaaa", "5"),  # two contracts named FOO in one file
        ("transfer_in", "FOO-0x2222bbbb", "3"),
    ]
    assert report.events[0].note == "USDC (contract 0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48)"
    assert report.parsed.notes[-1] == (
        "USDC from contract 0x0bad0bad… kept apart as USDC-0x0bad0bad "
        "(not the USDC contract 0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48)"
    )
    assert report.parsed.skipped == {"zero-value token transfer": 1}
    result = match_lots(build_ledger(report.events), "fifo")
    # arrivals with no transfer out recorded have unknown basis; the 200 sent leaves, untracked
    usdc = [(fp.fmt(o.quantity, 0), o.basis) for o in result.open_lots if o.asset == "USDC"]
    assert usdc == [("1050.5", None)]


def test_the_address_comes_from_the_download_name_and_address_overrides_it(tmp_path):
    other = "0x" + "ab" * 20
    named = tmp_path / f"export-address-token-{other}.csv"
    shutil.copy(FIXTURES / "etherscan-tokens/Txhash.csv", named)
    with pytest.raises(CsvImportError) as caught:  # the name says another address: no row is its
        read_file(named, NO_OPTIONS)
    assert (
        caught.value.problems[0]
        == f"{named}:2: From: neither From nor To is {other}: not this address's history"
    )
    report = read_file(named, Options(None, None, None, address=OWN.upper().replace("0X", "0x")))
    assert [e.side for e in report.events] == ["transfer_in", "transfer_out"]
    assert report.account == ACCOUNT
    assert read_file(named, Options("my wallet", None, None, address=OWN)).account == "my wallet"


def test_an_address_that_cannot_be_told_is_asked_for():
    text = (
        "Txhash,Blockno,UnixTimestamp,DateTime,From,To,Value,ContractAddress,TokenName,TokenSymbol\n"
        f"{h(1)},1,1609462800,x,{EXCHANGE},{OWN},1,0xa0b86991c6218b36c1d19d4a2e9eb0ce3606eb48,USD Coin,USDC\n"
    )
    with pytest.raises(CsvImportError) as caught:  # one row: both addresses are in every row
        read_text(text, "tokens.csv", NO_OPTIONS)
    assert caught.value.problems == [
        "tokens.csv:1: From: cannot tell which address is yours (not in the file name, and no one address is "
        "in every row); pass --address 0x…"
    ]
    assert (
        read_text(text, "tokens.csv", Options(None, None, None, address=OWN)).events[0].side == "transfer_in"
    )


def test_a_clone_explorer_names_its_coin_in_the_columns():
    text = (
        '"Txhash","Blockno","UnixTimestamp","DateTime","From","To","ContractAddress","Value_IN(BNB)",'
        '"Value_OUT(BNB)","CurrentValue @ $600/BNB","TxnFee(BNB)","Historical $Price/BNB","Status","ErrCode"\n'
        f'"{h(1)}","1","1704067200","x","{OWN}","{FRIEND}","","0","1.25","750","0.0001","300","",""\n'
    )
    report = read_text(text, f"export-{OWN}.csv", NO_OPTIONS)
    (sent,) = report.events
    assert (report.format.key, sent.account, sent.asset, sent.fee_asset, sent.fee_usd) == (
        "etherscan", "bsc:0x5a0b…9c4c", "BNB", "BNB", d("0.03"))  # fmt: skip


def test_bad_cells_are_named_by_line_and_column():
    text = (
        '"Transaction Hash","Blockno","UnixTimestamp","DateTime (UTC)","From","To","ContractAddress",'
        '"Value_IN(ETH)","Value_OUT(ETH)","CurrentValue @ $1/Eth","TxnFee(ETH)","TxnFee(USD)",'
        '"Historical $Price/Eth","Status","ErrCode","Method"\n'
        f'"{h(1)}","1","2024-01-01","x","{OWN}","{FRIEND}","","0","1","1","0.1","","1","","",""\n'
        f'"","1","1704067200","x","{OWN}","{FRIEND}","","0","lots","1","0.1","","1","","",""\n'
        f'"{h(3)}","1","1704067200","x","{EXCHANGE}","{FRIEND}","","0","1","1","0.1","","1","","",""\n'
    )
    with pytest.raises(CsvImportError) as caught:
        read_text(text, f"export-{OWN}.csv", NO_OPTIONS)
    assert caught.value.problems == [
        f"export-{OWN}.csv:2: UnixTimestamp: not a Unix time in seconds: '2024-01-01'",
        f"export-{OWN}.csv:3: Value_OUT(ETH): not a number: 'lots'",
        f"export-{OWN}.csv:3: Transaction Hash: missing value",
        f"export-{OWN}.csv:4: From: neither From nor To is {OWN}: not this address's history",
    ]


def test_the_2025_layout_one_amount_with_its_unit_and_value_in_usd():
    report = read("etherscan/2025.csv")
    assert (report.format.key, report.version, report.account) == (
        "etherscan", "2025, Amount with its unit, 12 columns", ACCOUNT)  # fmt: skip
    by_tx = {e.tx_id: e for e in report.events}
    received = by_tx[h(32)]  # "1.2 ETH" to the address; the sender paid the gas
    assert (received.side, received.quantity, received.fee, received.timestamp) == (
        "transfer_in", d("1.2"), 0, 1_735_689_600_000_000)  # fmt: skip
    sent = by_tx[h(33)]  # gas 0.000315 valued at the amount's rate: $1,650 / 0.5 ETH x 0.000315 = 1.0395
    assert (sent.side, sent.quantity, sent.fee, sent.fee_usd) == (
        "transfer_out",
        d("0.5"),
        d("0.000315"),
        d("1.0395"),
    )
    approve = by_tx[h(34)]  # moves no ETH, so the file gives no rate: the gas needs a price
    assert (approve.side, approve.quantity, approve.subtotal, approve.note) == (
        "spend",
        d("0.0002"),
        None,
        "gas: Approve",
    )
    failed = by_tx[h(35)]  # "Fail": 10^15 wei (0.001 ETH, $3.30) did not move; the gas 0.0004 ($1.32) did
    assert (failed.side, failed.quantity, failed.subtotal) == ("spend", d("0.0004"), d("1.32"))
    assert [(line, why) for line, _, why in report.needs_price()] == [(4, "no USD price for ETH in USD")]


def test_the_2025_internal_layout():
    report = read("etherscan-internal/2025.csv")
    assert (report.version, report.account) == ("2025, Amount with its unit, 10 columns", ACCOUNT)
    assert [(e.side, fp.fmt(e.quantity, 0), e.tx_id) for e in report.events] == [
        ("transfer_in", "0.3", h(36)), ("transfer_in", "0.05", h(38))]  # fmt: skip
    assert report.parsed.skipped == {"failed internal transaction": 1}
