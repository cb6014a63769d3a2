"""SHA-1 and SHA-256 from the interpreter's own modules (`_sha1`, `_sha256`), else hashlib's: the
same digests, without `import hashlib`, which loads OpenSSL's library at every start (~11
million instructions, 3–4 ms) — a cost each `harvest` process paid for a natural key or a
cache key of a few hundred bytes."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the same signatures as hashlib's
    from hashlib import sha1, sha256
else:
    try:
        from _sha1 import sha1
        from _sha256 import sha256
    except ImportError:  # pragma: no cover - an interpreter built without its own SHA modules
        from hashlib import sha1, sha256

__all__ = ["sha1", "sha256"]
