insert into article_signatures by name
select article_id, signature from new_signatures
