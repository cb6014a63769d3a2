"""A Gemini transaction history XLSX as Gemini writes it (dates and times as spreadsheet dates,
amounts as numbers, one amount as text, a totals row), written with xlsxwriter for the tests."""

from __future__ import annotations

from datetime import datetime, time
from pathlib import Path
from typing import Any

import xlsxwriter

FIXED = [
    "Date",
    "Time (UTC)",
    "Type",
    "Symbol",
    "Specification",
    "Liquidity Indicator",
    "Trading Fee Rate (bps)",
]
ASSETS = ["USD", "BTC", "ETH"]
TAIL = ["Trade ID", "Order ID", "Order Date", "Order Time", "Client Order ID", "API Session", "Tx Hash",
        "Deposit Destination", "Deposit Tx Output", "Withdrawal Destination", "Withdrawal Tx Output"]  # fmt: skip
HEADER = (
    FIXED + [f"{name} {a}" for a in ASSETS for name in (f"{a} Amount", f"Fee ({a})", f"{a} Balance")] + TAIL
)
WITHDRAWAL_TX = "4f1c0a8e2b3d4c5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5d6"
ETH_DEPOSIT_TX = "0x" + "5e" * 32
# (date, time, type, symbol, specification, {column: value}); a str amount is text in the sheet
ROWS: list[tuple[Any, ...]] = [
    ((2024, 1, 10), (15, 0, 0, 123000), "Credit", "USD", "Deposit (ACH)", {"USD Amount USD": 10000.0}),
    ((2024, 1, 11), (10, 0, 0, 500000), "Buy", "BTCUSD", "Flexible",
     {"USD Amount USD": -4000.0, "Fee (USD) USD": -14.0, "BTC Amount BTC": 0.1, "Trade ID": 123456789.0}),
    ((2024, 2, 1), (12, 0, 0, 0), "Buy", "ETHBTC", "Flexible",
     {"BTC Amount BTC": -0.05, "Fee (BTC) BTC": -0.0001, "ETH Amount ETH": 1.0123456789, "Trade ID": 123456790.0}),
    ((2024, 3, 1), (9, 30, 0, 0), "Sell", "BTCUSD", "Flexible",
     {"BTC Amount BTC": -0.03, "USD Amount USD": 1950.375, "Fee (USD) USD": -6.825, "Trade ID": 123456791.0}),
    ((2024, 3, 5), (14, 22, 10, 0), "Debit", "BTC", "Withdrawal (BTC)",
     {"BTC Amount BTC": "(0.01 BTC)", "Fee (BTC) BTC": -0.0002, "Tx Hash": WITHDRAWAL_TX,
      "Withdrawal Destination": "bc1qxy2kgdygjrsqtzq2n0yrf2493p83kkfjhx0wlh"}),
    ((2024, 3, 6), (0, 0, 0, 0), "Credit", "ETH", "Deposit (ETH)",
     {"ETH Amount ETH": 0.5, "Tx Hash": ETH_DEPOSIT_TX, "Deposit Destination": "0x" + "d0" * 20}),
    ((2024, 4, 1), (0, 0, 5, 0), "Interest Credit", "BTC", "Earn interest", {"BTC Amount BTC": 0.00001234}),
    ((2024, 4, 2), (8, 0, 0, 0), "Administrative Debit", "ETH", "", {"ETH Amount ETH": -0.001}),
]  # fmt: skip
TOTALS = {"USD Balance USD": 5944.55, "BTC Balance BTC": 0.00971234, "ETH Balance ETH": 1.5113456789}


def write_xlsx(path: Path, rows: list[tuple[Any, ...]] = ROWS) -> Path:
    workbook = xlsxwriter.Workbook(str(path))
    sheet = workbook.add_worksheet("Transaction History")
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    time_format = workbook.add_format({"num_format": "hh:mm:ss.000"})
    sheet.write_row(0, 0, HEADER)
    for index, (day, clock, kind, symbol, spec, values) in enumerate(rows, start=1):
        sheet.write_datetime(index, 0, datetime(*day), date_format)  # noqa: DTZ001 - a spreadsheet date
        sheet.write_datetime(index, 1, time(*clock), time_format)
        sheet.write_row(index, 2, [kind, symbol, spec])
        for column, value in values.items():
            position = HEADER.index(column)
            if isinstance(value, str):
                sheet.write_string(index, position, value)
            else:
                sheet.write_number(index, position, value)
    for column, value in TOTALS.items():  # the totals row: no date, no type
        sheet.write_number(len(rows) + 1, HEADER.index(column), value)
    workbook.close()
    return path
