"""A ScanContext whose matched lots (LotResult) are computed on first use: a context built from
the slow-path cache has everything a scan, the holdings, the plan and the header need, and
only the problems list and the decisions read the lots themselves — so a start from the cache
matches no lot until one of those asks."""

from __future__ import annotations

import gc
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager

from engine.core.collector import paused_gc
from engine.ledger.records import LotResult
from engine.planning.scan_context import ScanContext


@contextmanager
def kept_out_of_collections() -> Iterator[None]:
    """The collector paused while the slow path builds its millions of objects, and those frozen
    (gc.freeze) before it runs again: they live until the next reload, and a full collection
    would scan them all holding the GIL — 0.3 s at 100,000 lots, 2–3 s at 1,000,000 — which
    freezes the app's event loop whichever thread it runs in. They are acyclic, so reference
    counting still frees them when a reload replaces them."""
    with paused_gc():
        yield
        gc.freeze()


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
                with kept_out_of_collections():
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
