-- Quotes without a speaker. Quoted words nobody can be resolved as saying (scare quotes, slogans,
-- unattributed lines) are normal in text, and the extractor leaves them out: a row in quotes means
-- words attributed to someone, so a null or blank speaker here is an extractor or loader bug.
select article_id, quote, speaker
from quotes
where speaker is null or trim(speaker) = ''
