"""The schedule file: shape, checks, paths; and how a backfill splits its batches into shards."""

from pathlib import Path

import pytest

from flows.backfill import split_shards
from tasks.schedule import ScheduleError, load_schedule, parse_schedule

ROOT = Path(__file__).parent.parent.parent

ISSUE_EXAMPLE = """
warehouse = "warehouse"
[sources.world-news]
feeds = ["https://example.org/world/rss.xml"]
cron = "*/30 * * * *"
[sources.local-drop]
paths = ["/data/incoming"]
interval_seconds = 10
"""


def test_the_shape_from_the_issue_parses(tmp_path):
    schedule = parse_schedule(ISSUE_EXAMPLE, tmp_path)
    assert schedule.warehouse == tmp_path / "warehouse"
    assert schedule.sources["world-news"].cron == "*/30 * * * *"
    assert schedule.sources["world-news"].inputs() == {"feeds": ["https://example.org/world/rss.xml"]}
    assert schedule.sources["local-drop"].interval_seconds == 10
    assert schedule.sources["local-drop"].inputs() == {"paths": ["/data/incoming"]}


def test_the_shipped_example_parses():
    schedule = load_schedule(ROOT / "newsroom.example.toml")
    assert schedule.sources["local-drop"].paths == [str(ROOT / "seeds")]


def test_kinds_mix_and_relative_paths_follow_the_file(tmp_path):
    text = '[sources.mixed]\npaths = ["drop", "~/x"]\nurls = ["https://example.org/a"]\nsitemaps = ["s.xml"]\ncron = "0 * * * *"\n'
    source = parse_schedule(text, tmp_path).sources["mixed"]
    assert source.paths == [str(tmp_path / "drop"), str(Path("~/x").expanduser())]
    assert set(source.inputs()) == {"paths", "urls", "sitemaps"}


@pytest.mark.parametrize(
    "text,says",
    [
        ('[sources.a]\npaths = ["x"]\n', "exactly one of cron or interval_seconds"),
        ('[sources.a]\npaths = ["x"]\ncron = "* * * * *"\ninterval_seconds = 5\n', "exactly one of cron or interval_seconds"),
        ('[sources.a]\ncron = "* * * * *"\n', "at least one input"),
        ('[sources.a]\npath = ["x"]\ncron = "* * * * *"\n', "sources.a.path"),
        ('[sources.a]\npaths = ["x"]\ninterval_seconds = 0\n', "greater than 0"),
        ("warehouse = 'w'\n", "sources"),
        ("[sources\n", "not valid TOML"),
    ],
)
def test_bad_schedules_get_one_sentence(tmp_path, text, says):
    with pytest.raises(ScheduleError, match=says):
        parse_schedule(text, tmp_path)


def test_missing_schedule_file_is_one_sentence(tmp_path):
    with pytest.raises(ScheduleError, match="No such file"):
        load_schedule(tmp_path / "newsroom.toml")


def test_shards_are_contiguous_cover_every_batch_and_keep_part_numbers():
    batches = [[n] for n in range(7)]
    shards = split_shards(batches, 3)
    assert [first for first, _ in shards] == [1, 4, 6]
    assert [b for _, group in shards for b in group] == batches
    assert split_shards(batches[:1], 4) == [(1, [[0]])]
    assert split_shards([], 2) == []


def test_paths_and_web_sources_become_flow_parameters(tmp_path):
    from flows.serve import deployment_parameters

    schedule = parse_schedule(ISSUE_EXAMPLE.replace("interval_seconds = 10", "interval_seconds = 10\nworkers = 2"), tmp_path)
    assert deployment_parameters("local-drop", schedule.sources["local-drop"], schedule) == {
        "sources": ["/data/incoming"],
        "warehouse": str(tmp_path / "warehouse"),
        "source_name": "local-drop",
        "workers": 2,
    }
    assert deployment_parameters("world-news", schedule.sources["world-news"], schedule) == {
        "sources": [],
        "feeds": ["https://example.org/world/rss.xml"],
        "warehouse": str(tmp_path / "warehouse"),
        "source_name": "world-news",
    }
