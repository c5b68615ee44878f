-- Articles matching $query ranked by BM25 (title and text), best first.
with scored as (
    select article_id, fts_main_articles.match_bm25(article_id, $query) as score
    from articles
)
select a.article_id, a.title, a.source, a.published_at, s.score, a.text
from scored s
join articles a using (article_id)
where s.score is not null
order by s.score desc, a.article_id
limit $limit
