-- articles_daily: articles per publication day and language, with their total words.
-- Articles without a publication date are counted under published_on = NULL.
create or replace view articles_daily as
select
    cast(published_at as date) as published_on,
    language,
    count(*) as articles,
    sum(word_count) as words
from articles
group by all
