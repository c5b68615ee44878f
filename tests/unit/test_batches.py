"""How a run splits its inputs into batches (one Prefect task each)."""

from __future__ import annotations

import pytest

from flows.ingest import make_batches


@pytest.mark.parametrize("count", [0, 1, 99, 100, 150, 250, 1867])
@pytest.mark.parametrize("workers", [1, 2, 4])
def test_every_input_is_in_exactly_one_batch_in_order(count: int, workers: int) -> None:
    todo = list(range(count))
    batches = make_batches(todo, 100, workers)
    assert [item for batch in batches for item in batch] == todo
    assert all(0 < len(batch) <= 100 for batch in batches)


def test_one_worker_gets_full_batches() -> None:
    assert [len(b) for b in make_batches(list(range(250)), 100, 1)] == [100, 100, 50]


def test_with_two_workers_the_last_two_batches_worth_are_cut_in_quarters() -> None:
    # 1,867 - 2 x 100 = 1,667 inputs in full batches (the last one partial), then quarters
    sizes = [len(b) for b in make_batches(list(range(1867)), 100, 2)]
    assert sizes == [100] * 16 + [67] + [25] * 8


def test_a_small_run_on_two_workers_is_shared_between_them() -> None:
    assert [len(b) for b in make_batches(list(range(150)), 100, 2)] == [25] * 6
