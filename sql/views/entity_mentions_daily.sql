-- entity_mentions_daily: mentions of each named entity per day, for trends and "who rises this week".
-- day is the article's publication day; for an undated article, the day it was fetched, else the day
-- it was loaded (dated_by says which). A bulk load of undated archives therefore piles up on its load
-- day: filter dated_by = 'published' for trends over an archive. Counted over articles_deduplicated,
-- so copies of one story count once.
create or replace view entity_mentions_daily as
with dated_articles as (
    select
        article_id,
        cast(coalesce(published_at, fetched_at, ingested_at) as date) as day,
        case
            when published_at is not null then 'published'
            when fetched_at is not null then 'fetched'
            else 'ingested'
        end as dated_by
    from articles_deduplicated
)
select
    a.day,
    a.dated_by,
    e.name,
    e.label,
    count(*) as mentions,
    count(distinct e.article_id) as articles
from entities e
join dated_articles a using (article_id)
group by all
