"""Messages the workers post to the screens (attributes down, messages up)."""

from __future__ import annotations

from dataclasses import dataclass, field

from textual.message import Message

from engine.planning.detail import AssetDetail
from tui.screens.detail import LotTable
from tui.session import LotPreviews, Snapshot


@dataclass
class SnapshotReady(Message):
    snapshot: Snapshot
    preview: LotPreviews = field(default_factory=dict)  # the expanded holdings' lots, read by the worker


@dataclass
class Loaded(Message):
    """The slow path finished (start, import, sync)."""


@dataclass
class WorkFailed(Message):
    """A worker hit a problem the user should see (account and reason, never a traceback)."""

    text: str


@dataclass
class DetailReady(Message):
    detail: AssetDetail
    table: LotTable  # its lots formatted by the worker
    refresh: bool = False  # for the detail screen already open (a price tick), not a new one
