-- The stored articles of one WARC file (sources "<file>#offset=<n>" or "<file>#record=<n>"),
-- with the URL that pairs a changed record with its earlier version.
select source, article_id, url
from articles
where starts_with(source, $prefix)
  and regexp_matches(substr(source, length($prefix) + 1), '^(offset|record)=[0-9]+$')
