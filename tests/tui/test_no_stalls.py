"""No UI stall at 100,000 open lots (issue 18): the app runs headless with a heartbeat on its
event loop (tui.heartbeat, every 10 ms) through what bench/bench_tui.py times — the first load,
20 price ticks, expanding a holding, a reload after another process's import, the detail
screen and the problems screen — and the gaps between beats are the stalls.

Two measures: the wall gap (what a person sees, which on this shared 2-core machine also
holds the time other processes had the CPU) and the UI thread's own CPU time within one beat
(the app's own work on the loop, load-independent); the assertions use the second. Guarded:
no beat over 0.2 s of UI-thread CPU once the app is up, 0.12 s while it starts (0.13-0.18 s
before the footer was built once and after the first frame and the start-up objects frozen
out of full collections: that code fails it), and no freeze over 3 s of any cause. The code
before the paint work (FastTable, panes one at a time, the detail screen in steps, its chart
built in a worker) fails it: 0.23-0.30 s opening the detail screen, 0.11-0.14 s per tick. The
issue's 50 ms line is not met in every phase yet (2026-12-01 at load 7-10, after the footer,
collector and pane-turn work: the first load 59-89 ms, ticks 51-65, expand 49-75, detail
49-66, problems 33-56 — Textual painting a table whose cells all changed, a screen's first
paint, the collector's full collections). It is met in some runs now and missed by 10-40 ms
in others, so it is not asserted here (an expected failure that may pass asserts nothing):
bench/bench_tui.py reports it, and the README's Performance table says where it stands."""

from __future__ import annotations

import asyncio
from unittest import mock

import pytest

from bench import bench_scan
from bench.bench_tui import PHASES, Run, drive

LOTS = 100_000
ONE_BEAT_CPU = 0.2  # seconds of UI-thread CPU in one beat once the app is up
STARTING_CPU = 0.12  # the same while it starts (the first load): 0.13-0.18 s before the footer work
FREEZE = 3.0  # seconds of wall time between two beats, whatever the cause


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    out = tmp_path_factory.mktemp("stalls")
    with mock.patch.object(bench_scan, "OUT", out):
        path = bench_scan.prepared_store(LOTS)  # one bulk import of 100,000 buys
    return asyncio.run(drive(path, ticks=20, reload_tag=1))


def worst_by_phase(values: dict[str, list[float]]) -> dict[str, float]:
    return {phase: max(values.get(phase, [0.0])) for phase in PHASES}


@pytest.mark.slow
def test_every_phase_ran_with_the_heartbeat(run: Run):
    assert set(PHASES) <= set(run.heartbeat.gaps)
    assert all(len(run.heartbeat.gaps[phase]) >= 2 for phase in PHASES)
    assert len(run.ticks) == 20


@pytest.mark.slow
def test_no_ui_thread_turn_is_long_and_nothing_freezes(run: Run):
    busy = worst_by_phase(run.heartbeat.busy)
    gaps = worst_by_phase(run.heartbeat.gaps)
    assert busy.pop("first load") <= STARTING_CPU, busy
    assert max(busy.values()) <= ONE_BEAT_CPU, busy
    assert max(gaps.values()) <= FREEZE, gaps
