-- Quotes whose speaker_entity_name is not an entity name of the same article.
with names as (
    select distinct article_id, name
    from entities
)
select q.article_id, q.quote, q.speaker_entity_name
from quotes q
left join names n on n.article_id = q.article_id and n.name = q.speaker_entity_name
where q.speaker_entity_name is not null
  and n.name is null
