"""The search index updated in place scores every article as a rebuilt index does."""

import random

import duckdb

from tasks.search import build_search_index, load_fts, update_search_index

WORDS = (
    "harbour ferry council vote minister strike port trains storm flood budget school hospital "
    "election reporter court ruling protest police bridge energy prices farmers drought market "
    "Zürich Fährverbindung café naïve running runs ran city mayor said shipping night shifts"
).split()
QUERIES = ["harbour", "ferry council", "running", "Zürich", "cafe", "night shifts", "drought farmers", "mayor said"]


def text(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n)) + ". 2024 — it's (really) fine!"


def articles(path, rng: random.Random, n: int):
    con = duckdb.connect(str(path))
    con.execute("create table articles (article_id varchar, title varchar, text varchar, content_hash varchar)")
    for i in range(n):
        body = text(rng, rng.randint(5, 80))
        title = None if i % 7 == 0 else text(rng, 4)
        con.execute("insert into articles values (?, ?, ?, md5(?))", [f"a{i:04d}", title, body, body])
    return con


def scores(con) -> dict:
    load_fts(con)
    found = {}
    for query in QUERIES:
        rows = con.execute(
            "select article_id, fts_main_articles.match_bm25(article_id, ?) as s from articles where s is not null", [query]
        ).fetchall()
        found[query] = {article_id: round(score, 9) for article_id, score in rows}
    return found


def rebuilt_scores(con, tmp_path) -> dict:
    copy = tmp_path / "rebuilt.duckdb"
    copy.unlink(missing_ok=True)
    con.execute(f"attach '{copy}' as rebuilt")
    con.execute("create table rebuilt.articles as select * from articles")
    con.execute("detach rebuilt")
    with duckdb.connect(str(copy)) as other:
        load_fts(other)
        build_search_index(other)
        return scores(other)


def test_an_index_is_built_then_updated_in_place_with_the_scores_of_a_rebuild(tmp_path):
    rng = random.Random(7)
    con = articles(tmp_path / "news.duckdb", rng, 200)
    assert update_search_index(con) == "built"
    assert update_search_index(con) == "unchanged"
    # a load: 10 articles replaced by new ones, 12 new, one text changed under its id
    # (reprocess), one title changed, one title gone
    con.execute("delete from articles where article_id in (select article_id from articles order by article_id limit 10)")
    for i in range(12):
        body = text(rng, 30)
        con.execute("insert into articles values (?, ?, ?, md5(?))", [f"b{i:04d}", text(rng, 3), body, body])
    body = "ferry ferry ferry night shifts at the harbour"
    con.execute("update articles set text = ?, content_hash = md5(?) where article_id = 'a0100'", [body, body])
    con.execute("update articles set title = 'Zürich café closes' where article_id = 'a0101'")
    con.execute("update articles set title = null where article_id = 'a0102'")
    before = scores(con)
    assert update_search_index(con) == "updated"
    updated = scores(con)
    assert updated == rebuilt_scores(con, tmp_path)
    assert updated["night shifts"]["a0100"] != before["night shifts"].get("a0100")  # its new text counts
    assert "a0101" in updated["Zürich"] and "a0000" not in updated["harbour"]
    [(docs, names)] = con.execute("select count(*), count(distinct name) from fts_main_articles.docs").fetchall()
    assert docs == names == 202
    assert update_search_index(con) == "unchanged"


def test_a_large_change_or_an_index_from_before_is_rebuilt(tmp_path):
    rng = random.Random(11)
    con = articles(tmp_path / "news.duckdb", rng, 40)
    load_fts(con)
    con.execute("pragma create_fts_index('articles', 'article_id', 'title', 'text', overwrite = 1)")  # an older index
    assert update_search_index(con) == "built"
    con.execute("delete from articles where article_id < 'a0020'")  # half of them
    assert update_search_index(con) == "built"
    assert scores(con) == rebuilt_scores(con, tmp_path)
