"""The user's decisions about their own records — what the data alone cannot decide (these two
transfers are one move; this receive was a gift; XBT is BTC; this address is mine; the price of
that reward). They are part of the taxpayer's records: each is kept with the time it was made
and the reason given, survives re-imports and re-syncs (it names records by their natural keys,
never by row ids), can be listed and undone (an undo is recorded too, nothing is deleted), and is
exported with the identification log.

This module is the vocabulary: the kinds and the record. What each kind does to the ledger lives
with the rule it overrides (pairing in transfers, aliases in asset identity, …); the SQL lives in
engine.store.decision_tables."""

from __future__ import annotations

from typing import Any, NamedTuple

from engine.core.units import EpochMicros

# The kinds of decision; `subject` is the stable key of what each is about.
PAIR = "pair"  # subject: the transfer-out's natural key; detail {"in": natural key of the receive}
UNPAIR = "unpair"  # subject: the transfer-out's natural key; detail {"in": …}: never pair these two
# subject: a transfer's or an unclassified row's natural key; detail {"as": one of
# engine.ledger.decided's RECEIVED_AS / SENT_AS, "value": USD decimal text, "basis": USD decimal
# text, "acquired": "YYYY-MM-DD" as typed, "acquired_at": epoch micros (noon that day in the tax
# zone), "to": own wallet label, "direction": "in" | "out" (an unclassified row)} — only the
# keys that apply; what each does: engine.ledger.decided
CLASSIFY = "classify"
PRICE = "price"  # subject: an event's natural key; detail {"price": units text, "asset": …}
ALIAS = "alias"  # subject: a source's asset code; detail {"asset": canonical code}
# subject: "OLD>NEW"; detail {"ratio": decimal text, "at": epoch micros, "accounts": [...] (absent:
# all)}, or {"out": natural key, "in": natural key} (the exchange's own two records of it); see
# engine.ledger.identity_decisions
MIGRATION = "migration"
OWN_ADDRESS = "own_address"  # subject: an address (0x… lower-cased); detail {"label": …}: own:LABEL
IGNORE = "ignore"  # subject: a problem's key (engine.planning.data_problems); detail {"kind": …}
# subject: an asset; detail: the whole allocation of its unused basis as of 2025-01-01
# (engine.ledger.allocation_record); irrevocable (Rev. Proc. 2024-28 §4.02(6)): never undone
ALLOCATION = "allocation"
# not a choice but a record the user brought: subject "ACCOUNT:YEAR", detail the rows of that
# account's Form 1099-DA (engine.ledger.broker_forms); a later import undoes and replaces it
FORM_1099DA = "form_1099da"
KINDS = (PAIR, UNPAIR, CLASSIFY, PRICE, ALIAS, MIGRATION, OWN_ADDRESS, IGNORE, ALLOCATION, FORM_1099DA)
IRREVOCABLE = frozenset({ALLOCATION})


class Decision(NamedTuple):
    id: int
    kind: str
    subject: str
    detail: dict[str, Any]
    reason: str
    made_at: EpochMicros
    undone_at: EpochMicros | None = None

    @property
    def active(self) -> bool:
        return self.undone_at is None


def detail_text(detail: dict[str, Any]) -> str:
    """One canonical spelling (sorted keys), so equal details compare equal as stored text."""
    import json  # here: an import or a report of a store without decisions never loads it

    return json.dumps(detail, sort_keys=True, separators=(",", ":"))


def active_by_subject(decisions: list[Decision], kind: str) -> dict[str, Decision]:
    """The decision in force for each subject of a kind: the latest one not undone."""
    found: dict[str, Decision] = {}
    for decision in sorted(decisions, key=lambda d: d.id):
        if decision.kind == kind and decision.active:
            found[decision.subject] = decision
    return found
