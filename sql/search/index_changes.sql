-- What changed in `articles` since the search index was last updated: articles the index
-- holds that are gone or whose title or text changed (stale), and articles it lacks (fresh).
create or replace temp table search_current as
select * from search_state;

create or replace temp table search_stale as
select i.article_id
from fts_main_articles.indexed i
anti join search_current c
    on c.article_id = i.article_id and c.content_hash = i.content_hash and c.title_hash = i.title_hash;

create or replace temp table search_fresh as
select c.*
from search_current c
anti join fts_main_articles.indexed i
    on c.article_id = i.article_id and c.content_hash = i.content_hash and c.title_hash = i.title_hash;

select (select count(*) from search_stale), (select count(*) from search_fresh), (select count(*) from fts_main_articles.docs);
