-- Records of a WARC file whose very content was rejected before from another record of the
-- same file: a rewritten archive moved them. The run's plan first points such rejects at
-- their new place (relocate_records.sql) and then finds them unchanged; this query lets a
-- read-only plan (`clean_ahead`) reach the same decision without writing.
select distinct c.source, c.input_id
from records c
join rejects r on r.input_id = c.input_id and r.source <> c.source and starts_with(r.source, c.file || '#')
