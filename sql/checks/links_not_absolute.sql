-- Links that are not absolute http(s) URLs.
select article_id, href
from links
where not regexp_matches(href, '^https?://[^/]+')
