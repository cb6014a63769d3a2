"""A ScanContext whose matched lots (LotResult) are computed on first use: a context built from
the slow-path cache has everything a scan, the holdings, the plan and the header need, and
only the problems list and the decisions read the lots themselves — so a start from the cache
matches no lot until one of those asks."""

from __future__ import annotations

import threading
from collections.abc import Callable

from engine.ledger.records import LotResult
from engine.planning.scan_context import ScanContext


class DeferredLotsContext(ScanContext):
    """`lots` is matched by `match` when first read (once, whichever thread asks first)."""

    _match: Callable[[], LotResult] | None = None
    _matched: LotResult | None = None
    _matching = threading.Lock()

    @property
    def lots(self) -> LotResult:
        with self._matching:
            if self._matched is None:
                assert self._match is not None
                self._matched = self._match()
            return self._matched

    @lots.setter
    def lots(self, value: LotResult) -> None:
        self._matched = value

    @property
    def lots_matched(self) -> bool:
        return self._matched is not None


def deferred_lots(context: ScanContext, match: Callable[[], LotResult]) -> DeferredLotsContext:
    """`context` with its lots left to `match` (the engine's cached matching)."""
    deferred = DeferredLotsContext.__new__(DeferredLotsContext)
    deferred.__dict__.update({k: v for k, v in context.__dict__.items() if k != "lots"})
    deferred._match = match
    deferred._matching = threading.Lock()
    return deferred
