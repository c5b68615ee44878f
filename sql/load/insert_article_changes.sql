-- Compare re-extracted articles (staged Parquet) with the stored ones, field by field,
-- and record every difference.
insert into article_changes by name
with fresh as (
    select * from read_parquet($files)
),
pairs as (
    select
        new.article_id,
        old.extractor_version as old_version,
        new.extractor_version as new_version,
        [
            {'field': 'url', 'old': old.url, 'new': new.url},
            {'field': 'title', 'old': old.title, 'new': new.title},
            {'field': 'authors', 'old': cast(old.authors as varchar), 'new': cast(new.authors as varchar)},
            {'field': 'published_at', 'old': cast(old.published_at as varchar), 'new': cast(new.published_at as varchar)},
            {'field': 'language', 'old': old.language, 'new': new.language},
            {'field': 'site_name', 'old': old.site_name, 'new': new.site_name},
            {'field': 'description', 'old': old.description, 'new': new.description},
            {'field': 'image_url', 'old': old.image_url, 'new': new.image_url},
            {'field': 'categories', 'old': cast(old.categories as varchar), 'new': cast(new.categories as varchar)},
            {'field': 'tags', 'old': cast(old.tags as varchar), 'new': cast(new.tags as varchar)},
            {'field': 'modified_at', 'old': cast(old.modified_at as varchar), 'new': cast(new.modified_at as varchar)},
            {'field': 'is_translation', 'old': cast(old.is_translation as varchar), 'new': cast(new.is_translation as varchar)},
            {'field': 'original_language', 'old': old.original_language, 'new': new.original_language},
            {'field': 'extractors', 'old': cast(old.extractors as varchar), 'new': cast(new.extractors as varchar)},
            {'field': 'extraction_errors', 'old': old.extraction_errors, 'new': new.extraction_errors},
            {'field': 'text', 'old': old.text, 'new': new.text},
            {'field': 'word_count', 'old': cast(old.word_count as varchar), 'new': cast(new.word_count as varchar)},
            {'field': 'fetched_at', 'old': cast(old.fetched_at as varchar), 'new': cast(new.fetched_at as varchar)},
            {'field': 'extractor_version', 'old': old.extractor_version, 'new': new.extractor_version}
        ] as fields
    from fresh new
    join articles old using (article_id)
),
changes as (
    select article_id, old_version, new_version, unnest(fields, recursive := true)
    from pairs
)
select
    $run_id as run_id,
    article_id,
    field,
    old as old_value,
    new as new_value,
    old_version as old_extractor_version,
    new_version as new_extractor_version,
    $changed_at as changed_at
from changes
where old is distinct from new
