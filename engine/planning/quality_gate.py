"""The data-quality gate: an account/asset with unknown basis, missing history, a trade without
a USD value, an imported row not yet classified or a balance that disagrees with the exchange
gets no advice, and says why. The problems themselves, one per record at fault, are found in
engine.planning.data_problems; a problem resolved by the user's decisions no longer gates."""

from __future__ import annotations

from collections.abc import Sequence

from engine.planning.data_problems import DataProblem


def quality_problems(problems: Sequence[DataProblem]) -> dict[tuple[str, str], list[str]]:
    """Per account/asset: why no advice can be given (unknown basis, missing history, ...)."""
    gate: dict[tuple[str, str], list[str]] = {}
    for problem in problems:
        if problem.gates:
            for pool in problem.blocks:
                gate.setdefault(pool, []).append(problem.reason)
    return {pool: sorted(set(reasons)) for pool, reasons in gate.items()}
