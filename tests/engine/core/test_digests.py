"""engine.core.digests gives hashlib's digests (natural keys and cache keys must not change)."""

from __future__ import annotations

import hashlib

import pytest

from engine.core import digests


@pytest.mark.parametrize("data", [b"", b"binance|BTC|buy|1", bytes(range(256)) * 40])
def test_the_digests_are_hashlibs(data: bytes) -> None:
    assert (
        digests.sha1(data, usedforsecurity=False).hexdigest()
        == hashlib.sha1(data, usedforsecurity=False).hexdigest()
    )
    assert digests.sha256(data).hexdigest() == hashlib.sha256(data).hexdigest()
    both = digests.sha256(data[:7])
    both.update(data[7:])
    assert both.digest() == hashlib.sha256(data).digest()


def test_they_come_from_the_interpreters_own_modules() -> None:
    pytest.importorskip("_sha1")  # (an interpreter built without them falls back to hashlib's)
    pytest.importorskip("_sha256")
    assert digests.sha1.__module__ == "_sha1"
    assert digests.sha256.__module__ == "_sha256"
