"""Crypto.com App transaction history: Crypto.com App → Accounts → Crypto Wallet → Transaction
History (the ⋯ or export icon) → Export to CSV, with or without its `Transaction Hash` column.

Every row carries its USD value (`Native Amount (in USD)`, or `Native Amount` when the native
currency is USD). Trades (purchases with cash or card, sales to cash, crypto for crypto, recurring
buys, filled limit orders) go from `Currency`/`Amount` to `To Currency`/`To Amount`; a card
purchase (`crypto_purchase`) buys `Amount` for the native amount; dust conversion is a sale of
each small balance and a purchase of CRO, each at its USD value. Rewards, interest, cashback,
referral bonuses and reimbursements are income at their USD value; card top-ups, payments and
reverted rebates are spends. Withdrawals and deposits (to and from the Crypto.com Exchange too)
are transfers with their transaction hash. `crypto_transfer` (to or from another Crypto.com user
by phone or e-mail) is read as a gift: a transfer out without a sale, or in with the giver's
(unknown) basis — a payment received or made that way needs reclassifying. Moves inside the app
(Earn, lockups, staking, limit-order holds, the MCO/CRO swap) are skipped, and cash in and out
too. Times are UTC."""

from __future__ import annotations

from dataclasses import replace

from engine.core.units import Amount
from engine.imports.formats import (
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
from engine.ledger.events import USD, Event

TRADES = frozenset({"viban_purchase", "van_purchase", "crypto_viban_exchange", "crypto_exchange",
                    "crypto_to_van_sell_order", "recurring_buy_order", "trading.limit_order.fiat_wallet.sell_commit",
                    "trading.limit_order.fiat_wallet.purchase_commit", "trading.limit_order.cash_account.sell_commit",
                    "trading.limit_order.cash_account.purchase_commit"})  # fmt: skip
INCOME_KINDS = frozenset({"crypto_earn_interest_paid", "crypto_earn_extra_interest_paid", "mco_stake_reward",
                          "supercharger_reward_to_app_credited", "rewards_platform_deposit_credited",
                          "referral_bonus", "referral_gift", "referral_card_cashback", "transfer_cashback",
                          "reimbursement", "gift_card_reward", "admin_wallet_credited", "campaign_reward",
                          "pay_checkout_reward"})  # fmt: skip
SPENDS = frozenset({"crypto_payment", "card_top_up", "card_cashback_reverted", "reimbursement_reverted"})
OUT = frozenset({"crypto_withdrawal", "crypto_to_exchange_transfer"})
IN = frozenset({"crypto_deposit", "exchange_to_crypto_transfer"})
INTERNAL = frozenset({"crypto_earn_program_created", "crypto_earn_program_withdrawn", "supercharger_deposit",
                      "supercharger_withdrawal", "council_node_deposit_created"})  # fmt: skip
INTERNAL_PREFIXES = ("lockup_", "dynamic_coin_swap_", "interest_swap_", "crypto_wallet_swap_")

_BASE = ("Timestamp (UTC)", "Transaction Description", "Currency", "Amount", "To Currency", "To Amount",
         "Native Currency", "Native Amount", "Native Amount (in USD)", "Transaction Kind")  # fmt: skip
VERSIONS = (Version("with transaction hash", (*_BASE, "Transaction Hash")), Version("classic", _BASE))


def is_internal(kind: str) -> bool:
    """A move inside the app: Earn, lockups and staking, limit-order holds, the MCO/CRO swap."""
    if kind in INTERNAL or kind.startswith(INTERNAL_PREFIXES):
        return True
    if kind.startswith("trading.limit_order.") and kind.endswith(("_lock", "_unlock")):
        return True
    return kind.startswith("finance.") and any(w in kind for w in ("_lock", ".staking", ".unstaking"))


def is_income(kind: str) -> bool:
    return kind in INCOME_KINDS or (kind.startswith("finance.") and ("interest" in kind or "reward" in kind))


def parse(table: Table, options: Options, parsed: Parsed) -> None:
    cells = Cells(table.label, table.header, parsed.problems, options.latest)
    if not cells.require(
        table.header_line,
        (
            "Timestamp (UTC)",
            "Currency",
            "Amount",
            "Native Currency",
            "Native Amount",
            "Transaction Kind",
        ),
    ):
        return
    account = options.account or "crypto.com"
    for line, values in table.rows:
        cells.start(values, line)
        before = len(parsed.problems)
        timestamp = cells.time("Timestamp (UTC)", options.zone)
        asset = cells.get("Currency").upper()
        if not asset:
            cells.bad("Currency", "missing value")
        amount = cells.number("Amount")
        to_amount = cells.number("To Amount", required=False)
        native = cells.number("Native Amount", required=False)
        native_usd = cells.number("Native Amount (in USD)", required=False)
        if len(parsed.problems) > before or timestamp is None or amount is None:
            continue
        kind_text = cells.get("Transaction Kind")
        kind = kind_text.lower()
        native_currency = cells.get("Native Currency").upper()
        usd = native_usd if native_usd is not None else native if native_currency == USD else None
        moved = Flow(asset, Amount(abs(amount)), None if usd is None else Amount(abs(usd)))
        origin = Origin(account, timestamp, table.label, tx_id=cells.get("Transaction Hash") or None,
                        note=cells.get("Transaction Description") or kind_text or None)  # fmt: skip
        if is_internal(kind):
            parsed.skipped[kind_text] += 1
        elif kind in TRADES:
            to_asset = cells.get("To Currency").upper()
            if not to_asset or not to_amount:
                cells.bad(
                    "To Amount" if to_asset else "To Currency",
                    f"missing value (a {kind_text} has both sides)",
                )
                continue
            event = trade(origin, moved, Flow(to_asset, Amount(abs(to_amount)), moved.usd))
            if event is None:
                parsed.skipped[f"{kind_text} ({asset} to {to_asset})"] += 1
            else:
                parsed.add(event, line, TRADE)
        elif asset in FIAT:  # cash in and out
            parsed.skipped[f"{kind_text or cells.get('Transaction Description')} ({asset})"] += 1
        elif kind == "crypto_purchase" and native is not None and native_currency:
            purchase = trade(origin, Flow(native_currency, Amount(abs(native)), moved.usd), moved)
            assert purchase is not None  # the asset bought is crypto
            parsed.add(purchase, line, TRADE)
        elif kind in ("dust_conversion_debited", "dust_conversion_credited"):
            parsed.add(_at_usd(origin, moved, buying=amount > 0), line, TRADE)
        elif is_income(kind) and amount > 0:
            parsed.add(income(origin, moved), line, INCOME)
        elif kind in SPENDS and amount < 0:
            parsed.add(spend(origin, moved), line, TRADE)
        elif (kind in OUT and amount < 0) or (kind in IN and amount > 0) or kind == "crypto_transfer":
            parsed.add(transfer(origin, moved, outgoing=amount < 0), line, TRANSFER)
        else:
            parsed.add(
                unclassified(replace(origin, note=kind_text or origin.note), moved), line, UNCLASSIFIED
            )


def _at_usd(origin: Origin, moved: Flow, *, buying: bool) -> Event:
    """A dust conversion leg: a purchase (or sale) of the asset at its USD value; without one the
    value is left unknown (flagged), never zero."""
    if moved.usd is not None:
        paid, got = (Flow(USD, moved.usd), moved) if buying else (moved, Flow(USD, moved.usd))
        event = trade(origin, paid, got)
        assert event is not None
        return event
    return Event(account=origin.account, asset=moved.asset, side="buy" if buying else "sell",
                 timestamp=origin.timestamp, quantity=moved.quantity, price=None, fee=Amount(0),
                 source=origin.source, note=origin.note)  # fmt: skip


CRYPTO_COM = Format(
    key="crypto-com",
    name="Crypto.com App transaction history",
    export_path="Crypto.com App → Accounts → Crypto Wallet → Transaction History → Export to CSV",
    reads="purchases, sales and conversions (at the row's USD value), recurring buys, filled limit orders, "
    "dust conversion, rewards, interest, cashback and referral bonuses (income), payments and card top-ups "
    "(spends), withdrawals and deposits, crypto_transfer to or from another user (a gift: a transfer)",
    skips="cash in and out; Earn, lockups, staking and limit-order holds, the MCO/CRO swap (inside the app)",
    versions=VERSIONS,
    parse=parse,
    core=frozenset(name.lower() for name in _BASE),
    default_account="crypto.com",
    zone="UTC",
)
