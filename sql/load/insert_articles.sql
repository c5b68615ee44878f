-- Insert staged articles; an id already present (loaded meanwhile by another run) is skipped.
insert into articles by name
select s.*
from read_parquet($files) s
where s.article_id not in (select article_id from articles)
