"""Short ids for problems and records: what a person types instead of a natural key. Each is the
start of a hash of the stable key, so it is the same on every run and after re-imports; the list
shows 6 hex digits, more where two shown ids would otherwise share them (as git abbreviates),
and any unique start of 4 or more digits is accepted back."""

from __future__ import annotations

from collections.abc import Iterable

from engine.core.digests import sha1

SHOWN = 6  # digits shown at least
TYPED = 4  # digits accepted at least


def full_id(key: str) -> str:
    return sha1(key.encode(), usedforsecurity=False).hexdigest()


def abbreviations(keys: Iterable[str]) -> dict[str, str]:
    """key -> the shortest start of its hash (at least SHOWN digits) no other key here shares."""
    full = {key: full_id(key) for key in set(keys)}
    length = SHOWN
    while length < 40 and len({h[:length] for h in full.values()}) < len(full):
        length += 1
    return {key: h[:length] for key, h in full.items()}


def looks_like_id(text: str) -> bool:
    return len(text) >= TYPED and all(c in "0123456789abcdef" for c in text.lower())


def matching(text: str, keys: Iterable[str]) -> list[str]:
    """The keys whose id starts with `text` (a hex prefix of TYPED digits or more)."""
    if not looks_like_id(text):
        return []
    prefix = text.lower()
    return [key for key in keys if full_id(key).startswith(prefix)]
