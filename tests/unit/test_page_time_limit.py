"""A page whose cleaning runs too long is rejected as 'too_slow'; the rest of its batch loads."""

from __future__ import annotations

import signal
import threading
import time
from pathlib import Path

import pytest

from tasks.batch import PageTimeout, PlannedInput, page_time_limit, prepare_inputs
from tasks.records import InputItem, input_id
from tasks.settings import Settings

ARTICLE = (
    "<html><head><title>Bridge to reopen</title></head><body><article><h1>Bridge to reopen</h1><p>"
    + " ".join(["The council said on Monday that the old bridge would reopen in spring."] * 12)
    + "</p></article></body></html>"
)
# 90,000 empty elements: seconds of trafilatura's time for a page with no text at all (the
# adversarial set's many_empty_tags.html, benchmarks/RESULTS.md "Hostile inputs")
SLOW = "<html><body>" + "<div><span></span><p></p></div>" * 30_000 + "<p>Nothing here.</p></body></html>"


def planned(path: Path, html: str) -> PlannedInput:
    path.write_text(html, encoding="utf-8")
    return PlannedInput(InputItem(str(path), str(path), "html"), input_id(path.read_bytes()))


# In this test process hypothesis keeps a garbage-collector callback: a PageTimeout that lands
# in it is dropped and reported as unraisable, and the repeated one ends the page (next test).
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_page_past_the_limit_is_rejected_and_the_batch_goes_on(tmp_path: Path) -> None:
    settings = Settings(warehouse=tmp_path / "warehouse", page_seconds=1.0, entities=False)
    # warm up, as a worker process does before its first batch: the first page of a process
    # also loads the libraries' lazy parts (language model, date patterns)
    prepare_inputs([planned(tmp_path / "warm.html", ARTICLE)], settings)
    batch = [planned(tmp_path / "slow.html", SLOW), planned(tmp_path / "article.html", ARTICLE)]
    started = time.perf_counter()
    prepared = prepare_inputs(batch, settings)
    assert time.perf_counter() - started < 5  # the slow page alone takes seconds without the limit
    assert [(r["source"], r["reason"]) for r in prepared.rejects] == [(str(tmp_path / "slow.html"), "too_slow")]
    assert "longer than 1 s" in prepared.rejects[0]["detail"]
    assert [a["title"] for a in prepared.articles] == ["Bridge to reopen"]
    # the timer is off and the previous handler back once the batch is done
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)
    assert signal.getsignal(signal.SIGALRM) in (signal.SIG_DFL, signal.default_int_handler, None)


def test_without_a_limit_the_slow_page_is_cleaned_to_its_own_outcome(tmp_path: Path) -> None:
    settings = Settings(warehouse=tmp_path / "warehouse", page_seconds=0, entities=False)
    prepared = prepare_inputs([planned(tmp_path / "slow.html", SLOW)], settings)
    assert [r["reason"] for r in prepared.rejects] in (["no_article"], ["too_short"])


# the dropped PageTimeout is reported as an unraisable exception: that is the case under test
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
def test_a_timeout_dropped_where_python_ignores_exceptions_is_raised_again() -> None:
    """A PageTimeout raised inside a garbage-collector callback is printed and dropped."""
    import gc

    landed: list[str] = []

    def in_the_collector(phase, info) -> None:
        if phase == "start" and not landed:
            landed.append("collector")
            time.sleep(0.5)  # the page's time runs out here: Python drops what this raises

    gc.callbacks.append(in_the_collector)
    started = time.perf_counter()
    try:
        with pytest.raises(PageTimeout), page_time_limit(0.05):
            gc.collect()
            landed.append("after")
            time.sleep(10)
    finally:
        gc.callbacks.remove(in_the_collector)
    assert landed == ["collector", "after"]  # the first PageTimeout was dropped in the collector
    assert time.perf_counter() - started < 5  # the repeat came 0.2 s later, not after the 10 s block
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_a_repeat_does_not_cut_short_the_cleanup_of_a_timeout_on_its_way_out() -> None:
    cleaned: list[bool] = []
    with pytest.raises(PageTimeout), page_time_limit(0.05):
        try:
            time.sleep(5)
        finally:
            time.sleep(0.7)  # cleanup while the PageTimeout propagates: the repeats come meanwhile
            cleaned.append(True)
    assert cleaned == [True]
    assert signal.getitimer(signal.ITIMER_REAL) == (0.0, 0.0)


def test_the_limit_raises_in_the_main_thread_only() -> None:
    with pytest.raises(PageTimeout):
        with page_time_limit(0.05):
            time.sleep(1)
    outcome: list[str] = []

    def in_a_thread() -> None:
        with page_time_limit(0.05):  # signals need the main thread: no limit here
            time.sleep(0.2)
        outcome.append("finished")

    thread = threading.Thread(target=in_a_thread)
    thread.start()
    thread.join()
    assert outcome == ["finished"]
