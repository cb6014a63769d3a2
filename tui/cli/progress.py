"""A progress bar per account for `harvest sync` on a terminal (plain lines when piped)."""

from __future__ import annotations

from typing import TextIO


class ProgressLines:
    WIDTH = 24

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.live = stream.isatty()
        self.last: dict[str, str] = {}

    def update(self, account: str, done: int, total: int, what: str) -> None:
        total = max(total, 1)
        filled = self.WIDTH * min(done, total) // total
        line = f"{account:<12} [{'█' * filled}{'·' * (self.WIDTH - filled)}] {done}/{total} {what}"
        if self.live:
            self.stream.write("\r\x1b[2K" + line)
            if what == "done":
                self.stream.write("\n")
        elif what in ("done",) or self.last.get(account) is None:
            self.stream.write(line + "\n")
        self.last[account] = line
        self.stream.flush()

    def finish(self) -> None:
        if self.live:
            self.stream.write("\r\x1b[2K")
            self.stream.flush()
