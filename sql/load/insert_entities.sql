-- Insert staged entities of the articles this run inserted (not of staged duplicates it skipped).
with inserted as (
    select article_id
    from articles
    where run_id = $run_id
)
insert into entities by name
select s.*
from read_parquet($files) s
where s.article_id in (select article_id from inserted)
