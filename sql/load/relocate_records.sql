-- Point the rows of records that moved inside a rewritten WARC file at their new place
-- (one statement, so that two records swapping places cannot collide).
update articles
set source = r.new_source
from relocations r
where r.target = 'articles' and articles.source = r.old_source;

update rejects
set source = r.new_source
from relocations r
where r.target = 'rejects' and rejects.source = r.old_source and rejects.input_id = r.input_id;
