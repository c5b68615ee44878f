"""When a source needs a human, and what a run's report says."""

from tasks.health import MIN_INPUTS_FOR_REJECT_RATE, explain_streak, judge_reject_rate
from tasks.report import artifact_key, render_run_report


def test_reject_rate_above_the_limit_is_one_sentence():
    message = judge_reject_rate("world-news", loaded=4, rejected=16, max_rate=0.5)
    assert message == (
        "Source 'world-news' rejected 16 of 20 new inputs (80%, limit 50%): check the rejects table for this run."
    )
    assert judge_reject_rate("world-news", loaded=10, rejected=10, max_rate=0.5) is None


def test_small_runs_are_not_judged_by_their_reject_rate():
    assert judge_reject_rate("drop", loaded=0, rejected=MIN_INPUTS_FOR_REJECT_RATE - 1, max_rate=0.1) is None
    assert judge_reject_rate("drop", loaded=0, rejected=0, max_rate=0.1) is None


def test_a_streak_of_failures_calls_for_a_human():
    assert explain_streak("drop", 2, 3, "Source not found: /x") == "Source not found: /x"
    assert explain_streak("drop", 3, 3, "Source not found: /x") == (
        "Source 'drop' failed 3 runs in a row and needs a human. Last failure: Source not found: /x"
    )


def test_artifact_keys_are_what_prefect_accepts():
    assert artifact_key("World_News 2") == "newsroom-world-news-2"
    assert artifact_key(None) == "newsroom-run"


def test_report_has_counts_reasons_sites_speed_and_run_id():
    counts = {
        "inputs": 10, "loaded": 6, "rejected": 3, "skipped": 1, "deferred": 0,
        "rejected_by_reason": {"no_article": 2, "binary": 1}, "skipped_by_reason": {"unchanged": 1},
    }
    text = render_run_report(
        run_id="20261125T000000Z-abcdef", status="completed", source_name="drop", counts=counts,
        elapsed_seconds=2.0, warehouse="/w", sites=[("example.org", 5), ("local files", 1)],
    )
    assert "| rejected | 3 | no_article 2, binary 1 |" in text
    assert "| skipped | 1 | unchanged 1 |" in text
    assert "| example.org | 5 |" in text
    assert "5.0 pages/s" in text
    assert "where run_id = '20261125T000000Z-abcdef'" in text
