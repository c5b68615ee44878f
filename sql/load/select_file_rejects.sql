-- The rejects of one WARC file's records, for records that moved when the file was rewritten.
select distinct source, input_id
from rejects
where starts_with(source, $prefix)
  and input_id is not null
  and regexp_matches(substr(source, length($prefix) + 1), '^(offset|record)=[0-9]+$')
