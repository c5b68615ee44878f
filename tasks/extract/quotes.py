"""Quotes and their speakers, by rules over the text and the article's entities.

Direct quotes are quoted spans of four words or more that are not headlines, attributed by
the clause next to them: after the quote ("…," she said / said Nowak), or before it
(Macron said that "…" / according to X, "…" / X: "…"). A quote split by its attribution
gives two rows with the same speaker; a quote with no attribution of its own continues the
speaker of the quote before it in the paragraph, or in the previous paragraph when the
whole paragraph is a quote; a quote opening a sentence right after a sentence of the same
paragraph that has a speech verb ("…, says Yao. “…”") takes that sentence's speaker. Pronouns and descriptions ("he", "the newspaper", "the
general") resolve to the latest matching entity before them, so the speaker is always the
article's normalised name; he/she pass over people whose gender the article shows to be the
other one, "they" is the group of people named last, and an unnamed spokesperson speaks for
the organisation. The subject is looked for in the clause right before the verb ("When Jones
left, Smith said"); a name qualifying a role gives way to the name after it ("Harris senior
adviser David Plouffe"); "the minister" is the person the article introduces with that title
(before the quote, else in the next lines); "His statement" is the man meant, "the statement"
whoever was quoted last; names inside quote marks or after a possessive ("its Washington
embassy") never speak; a name NER missed ("Mr Tan said") drops its title and becomes the
article's one longer name that contains it ("Tan Wei Ming"). "He"/"she" is the person the
paragraph is about: the subject that opens its latest sentence (or that of the narration
paragraph before a quote paragraph), when one does; else the latest first-named person. Reported speech ("X said that …") gives rows with direct=false.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from tasks.extract.citations import is_cited_title, is_outlet, is_title_like
from tasks.extract.entities import TITLES, has_org_word, person_core
from tasks.extract.spans import QuotedSpan, ends_abbreviation, paragraph_bounds, sentence_at
from tasks.records import Entity, Quote

MIN_QUOTE_WORDS = 3
SPEAKER_LABELS = {"PERSON", "ORG", "GPE"}
_CUES = (
    r"according to|said|says|say|told|tells|added|adds|explained|explains|noted|notes|stated|states|"
    r"argued|argues|wrote|writes|asked|asks|insisted|insists|warned|warns|declared|declares|recalled|recalls|"
    r"reminded|reminds|emphasi[sz]ed|emphasi[sz]es|emphasi[sz]ing|stressed|stresses|stressing|continued|continues|"
    r"replied|replies|answered|admitted|admits|acknowledged|acknowledges|claimed|claims|announced|announces|"
    r"concluded|observed|remarked|commented|suggested|suggests|confirmed|confirms|quoted|reported|reports|"
    r"added|predicted|predicts|promised|promises|vowed|vows|urged|urges|described|describes|conceded|"
    r"pointed out|points out|tweeted|posted|wrote on|said in a statement|saying|adding|telling|noting|warning|"
    r"began|chanted|shared|detailed|highlights|highlighted|recounted|quipped|demanded|requested|calling|called|"
    r"asserting|asserted|describing|insisting|arguing|claiming|explaining|responded|responds|comments|"
    r"lamented|laments|complained|complains|critici[sz]ed|critici[sz]es|remembered|remembers|joked|jokes|mused|"
    r"exclaimed|cautioned|cautions|countered|counters|retorted|reflected|boasted|pleaded|wondered|whispered|snapped|snaps|"
    r"blasted|blasts|slammed|slams|fumed|fumes|raged|rages|ranted|rants|gushed|gushes|hit out|hits out|hit back|hits back|shot back|shoots back|fired back|fires back|interjected|interjects|chimed in|chimes in|shouted|shouts|"
    r"yelled|yells|screamed|screams|sighed|scoffed|bragged|brags|"
    r"speaking to|in an interview"
)
_CUE_RE = re.compile(rf"\b(?:{_CUES})\b", re.IGNORECASE)
_INDIRECT_CUE_RE = re.compile(
    r"\b(said|says|told\s+(?:[\w’'-]+\s+){1,4}?|added|stated|warned|argued|claimed|explained|noted|insisted|"
    r"believes|announced|confirmed|admitted|acknowledged)\s+(that\s+)?",
)
_PRONOUN_RE = re.compile(r"\b(he|she|He|She)\b")
_THEY_RE = re.compile(r"\b(?:they|They)\b")
_PERSON_ROLES = (
    r"general|president|minister|premier|chancellor|chairman|chairwoman|chair|spokesman|spokeswoman|"
    r"spokesperson|official|officer|secretary|director|chief|leader|mayor|senator|governor|ambassador|"
    r"professor|expert|analyst|author|coach|manager|executive|founder|lawyer|attorney|judge|prosecutor|"
    r"commander|diplomat|lawmaker|politician|economist|researcher|scientist|doctor|player|striker|"
    r"man|woman|star|singer|actor|actress|owner|head|king|queen|pope|candidate|boss|councillor|councilor|"
    r"source|aide|insider|witness|resident|neighbour|neighbor|friend|relative|colleague|member|activist|"
    r"protester|lawmaker|legislator|critic|supporter|victim|survivor|mother|father|mom|dad|wife|husband|fan|"
    r"adviser|advisor|strategist|deputy|assistant|counsel|organizer|organiser|consultant|editor|staffer|pollster|"
    r"MP|MSP|MEP|congressman|congresswoman|"
    r"\d+-year-old"
)
_ORG_ROLES = (
    r"newspaper|paper|daily|agency|broadcaster|outlet|magazine|company|firm|group|ministry|department|"
    r"government|administration|party|union|club|team|council|committee|court|bank|police|force|army|military|"
    r"organisation|organization|authority|board|office|commission|report|statement|center|centre|institute|"
    r"post|tweet|email|university|college|school|hospital|charity|foundation|museum"
)
_GROUP_RE = re.compile(rf"\b(?:{_PERSON_ROLES})s\b")
# Words that end a noun phrase: "a hate crime by police" names no police.
_PHRASE_BREAKS = r"(?:by|of|in|on|at|for|with|from|to|as|and|or|that|which|who|was|were|is|are|has|had|have)"
_ROLE_RE = re.compile(
    rf"\b(?:[Tt]he|[Tt]his|[Tt]hat|[Aa]n?|[Ii]ts|[Hh]is|[Hh]er|[Tt]heir)\s+(?:(?!{_PHRASE_BREAKS}\b)[\w’'-]+(?:\.\w+)*\.?\s+){{0,3}}"
    rf"(?:[Vv]ice-|[Cc]o-|[Ee]x-)?(?:(?P<person>(?i:{_PERSON_ROLES}))|(?P<org>{_ORG_ROLES}))(?P<plural>s?)\b"
)
# A person named right after these words is an object, not the one speaking ("after meeting X").
_OBJECT_BEFORE_RE = re.compile(
    r"\b(?:after|with|to|by|from|for|about|against|meeting|met|of|on|at|than|like|and|told|asked|urged|called|"
    r"over|beating|beat|defeated|behind|into|as|including|toward|towards|versus|vs|in|near|during)\s+$",
    re.IGNORECASE,
)
# "said nurse Priya Nair", "said Sen. Sherrod Brown": a name NER missed after the verb (a title kept, dropped later)
_NAME_AFTER_RE = re.compile(r"\s+(?:[a-z]+\s+){0,2}?((?:[A-Z][a-z]{1,4}\.\s+)?(?:[A-Z][\w’'-]+)(?:\s+(?:[A-Z]\.|[A-Z][\w’'-]+)){1,3})\b")
_NOT_NAMES = {"It", "He", "She", "They", "We", "I", "You", "The", "This", "That", "These", "Those", "A", "An", "But",
              "And", "Or", "So", "Then", "There", "Here", "Its", "His", "Her", "Their", "Our", "My", "Asked", "When"}
_NAME_BEFORE_RE = re.compile(r"(?<![\w.])((?:[A-Z][\w’'-]+)(?:\s+[A-Z][\w’'-]+){0,3})\s+$")
# "as Montoya-Lewis herself said, “…”": a name after "as" and before a speech verb is its subject
_AS_SUBJECT_RE = re.compile(rf"\s+(?:(?:him|her|them|it)sel(?:f|ves)\s+|[a-z]+ly\s+)?(?:(?:has|had|have)\s+)?(?:{_CUES})\b")
# "… as the defence had claimed, it appeared he had “…”": a speech verb in an "as" clause
_AS_CLAUSE_RE = re.compile(r"(?:^|[\s,(—–])[Aa]s\s+(?:[\w’'.-]+\s+){1,5}$")
# "the zoo", "the airline": a common noun that may be the head of an organisation's name
_THE_NOUN_RE = re.compile(r"\b[Tt]he\s+([a-z][a-z-]{2,})\b")
_CUE_BEFORE_RE = re.compile(rf"\b(?:{_CUES})\s+$", re.IGNORECASE)
_PASSIVE_RE = re.compile(r"\b(?:was|were|is|are|been|being|be|get|got)\s+$", re.IGNORECASE)
_POSSESSIVE_AFTER_RE = re.compile(r"^['’‘]s?\b")
_OUTLET_ROLES = {"newspaper", "paper", "daily", "broadcaster", "outlet", "magazine"}
# "the force said", "the police said": a police force, named by these words
_POLICE_ROLES = {"police", "force"}
_POLICE_NAME_RE = re.compile(r"\b(?:Police|Constabulary|Force|Garda|Gendarmerie|Sheriff|PD|GMP|NYPD|LAPD|PSNI)\b")
# Writings that speak for whoever wrote them: "His statement continued:", "the report said"
_DOCUMENT_ROLES = {"statement", "post", "tweet", "email"}
# Person roles used as titles ("Minister X", "X, the company's chief executive")
_TITLE_ROLES = {
    "general", "president", "minister", "premier", "chancellor", "chairman", "chairwoman", "chair", "spokesman",
    "spokeswoman", "spokesperson", "secretary", "director", "chief", "leader", "mayor", "senator", "governor",
    "ambassador", "professor", "coach", "manager", "executive", "founder", "lawyer", "attorney", "judge",
    "prosecutor", "commander", "adviser", "advisor", "economist", "head", "king", "queen", "pope",
}
# People who speak for an organisation: unnamed, the organisation is the speaker.
_SPOKES_ROLES = {"spokesman", "spokeswoman", "spokesperson"}
_SPOKESPERSON_FOR_RE = re.compile(rf"\b(?:[Aa]n?|[Tt]he)\s+(?:[\w’'-]+\s+)?(?:{'|'.join(sorted(_SPOKES_ROLES))})\s+(?:for|of|at)\s+(?:the\s+)?")
_MALE = {"he", "him", "his", "himself"}
_FEMALE = {"she", "her", "hers", "herself"}
_SAID_PRONOUN_RE = re.compile(r"\s*,?\s*(?:\w+\s+){0,1}?(?:said|says|added|told \w+|explained|insisted|claimed|admitted)\s+(?:that\s+)?(he|she)\b")
_OPENING_PRONOUN_RE = re.compile(r"\s*[\"“‘']?(He|She)\b")
_MALE_TITLES = {"mr", "sir", "lord", "king", "prince", "father", "brother", "duke", "earl"}
_FEMALE_TITLES = {"mrs", "ms", "miss", "dame", "lady", "queen", "princess", "mother", "sister", "duchess"}
# "D-Calif.", "R-Wis.": a party and state label after a name, not someone speaking
_PARTY_STATE_RE = re.compile(r"\b[RDI]-$")
# a sentence's subject when it opens the sentence ("Oskar Vell, a chemist, says", "On Mondays, Tom Reed walks")
_OPENER_RUN_RE = re.compile(r"[A-Z][\w’'-]*\.?(?:\s+[A-Z][\w’'-]*\.?){0,5}(?=\s*,|\s+[a-z(])")
_SPACES_RE = re.compile(r"\s*")
_CONJUNCTION_RE = re.compile(r"(?:And|But|Yet|So|Still|Then|Now|Meanwhile,?)\s+")
_INTRO_RE = re.compile(r"(?:[\w’'-]+\s+){0,3}[\w’'-]+,\s+")
# a group named without a determiner before a speech verb: "investigators said", "prison officials wrote"
_BARE_GROUP_RE = re.compile(
    rf"\b(?:(?:prison|federal|state|local|city|county|health|security|hospital|military|police|senior|government|"
    rf"US|U\.S\.|UK|EU|UN)\s+)?(?:(?:{_PERSON_ROLES})s|police|investigators|authorities|detectives|prosecutors)\b"
    rf"(?=\s+(?:have\s+|had\s+|also\s+)?(?:said|say|says|told|described|added|warned|wrote|stated|believe|believed)\b)"
)
# '“…,” said one of the keepers who cared for the wolf': one member of a group, unnamed
# "said one person during public comment", "said another resident", "said someone at the meeting"
_SOMEONE_RE = re.compile(rf"\b(?:(?:[Oo]ne|[Aa]nother)\s+(?:[a-z][\w-]*\s+){{0,2}}?(?:person|(?:{_PERSON_ROLES}))|[Ss]ome(?:one|body))\b")
_ONE_OF_RE = re.compile(r"\b[Oo]ne of (?:the|his|her|their|its)\s+(?:[a-z][\w-]*\s+){0,2}[a-z][\w-]*s\b")
_GROUP_DETERMINER_RE = re.compile(
    r"\b(?:the|this|that|these|those|its|his|her|their|our|my|your|a|an|some|many|two|three|several|of)\s+(?:[\w-]+\s+)?$",
    re.IGNORECASE,
)
# a person's name NER may take for an organisation, and the roles that show it is a person
_TITLED_NAME_RE = re.compile(r"[A-Z][a-z’'-]+(?:\s+[A-Z][a-z’'-]+){1,3}")
# between a role and the person it describes: "The Leader of Burnley Council, | Councillor X"
_APPOSITIVE_GAP_RE = re.compile(r"(?:\s+(?:of|at|for)\s+(?:the\s+)?(?:[A-Z][\w’'&.-]*\s*){1,5})?,\s+")
_ROLE_BEFORE_RE = re.compile(rf"\b(?i:{_PERSON_ROLES}),?\s+$")
# (a role in lower case: "…, Councillor X, said" names someone else)
_ROLE_AFTER_RE = re.compile(rf",\s+(?:[^,.;:“”\"]{{0,80}}?\s)?(?:{_PERSON_ROLES})\b[^,.;:“”\"]{{0,30}},")
# a participle clause before the subject: "Speaking on the Keys and Grey Show on BT Sport, Wilder …"
_PARTICIPLE_INTRO_RE = re.compile(r"(?:[A-Z][a-z]+ing|Asked|Pressed|Interviewed|Quoted)\b[^,.;:!?“”\"]{0,120},\s+")
_NOT_PERSON_LABELS = {"GPE", "NORP", "LOC", "FAC", "DATE", "TIME", "EVENT", "LAW", "LANGUAGE", "PRODUCT", "MONEY",
                      "PERCENT", "QUANTITY", "CARDINAL", "ORDINAL"}
# capitalised words that open a sentence without being (part of) its subject's name
_LEAD_WORDS = {
    "After", "Before", "When", "While", "As", "If", "Since", "Although", "Though", "Because", "Unlike", "Like", "With",
    "Without", "For", "In", "On", "At", "By", "From", "To", "Of", "Despite", "During", "Until", "Once", "Now", "Later",
    "Earlier", "Last", "Next", "Meanwhile", "However", "Yet", "Still", "Also", "Even", "Only", "Both", "Each", "Every",
    "All", "Some", "Many", "Most", "Several", "Few", "Other", "Another", "Such", "No", "Not", "According", "Among",
    "Amid", "Under", "Over", "Through", "Across", "Following", "Speaking", "Why", "What", "Where", "Who", "How",
}
_TOPIC_PARAGRAPHS = 2  # paragraphs of narration (not opening with a quote) searched for a pronoun's topic
_ADJACENT_WORDS = 16
# '“We are not exercising to join the fight” over Taiwan, he added.': a few words finish the
# sentence the quote began, then its attribution closes it
_TRAILING_ATTRIBUTION_RE = re.compile(
    r"[ \t]+[^,.;:!?“”\"\n]{1,60},\s+(?:he|she|they|(?:[A-Z][\w’'.-]*\s+){0,3}[A-Z][\w’'-]+)\s+"
    r"(?:said|says|added|adds|told \w+|wrote|noted|explained|insisted|stressed)[.!]?\s*$"
)
_INTERVIEW_PARAGRAPHS = 4  # an answer after a question paragraph: its speaker was quoted this close before
# "Harris senior adviser David Plouffe": the name after a role that another name qualifies
# "Trump adviser Jason Miller", "DeSantis donor Dan Eberhart": a name, a role, the speaker's name
_GAP_ROLES = r"donor|ally|allies|backer|rival|opponent|challenger|pollster|fundraiser|surrogate|staffer|confidant|loyalist"
_ROLE_GAP_RE = re.compile(rf"\s+(?:[a-z][\w-]*\s+){{0,3}}(?:{_PERSON_ROLES}|{_GAP_ROLES})\s+")
_SIGNED_BY_RE = re.compile(
    r"\s+(?:the|a|an|their|his|her|its)\s+(?:[\w-]+\s+){0,2}?(?:letter|statement|petition|memo|email|op-ed)\b,?\s+"
    r"(?:signed|co-signed|written|sent)\s+by\s+"
)
# a sentence's closing source: ", according to X." / ", according to X’s office." (no other clause after it)
_ACCORDING_AT_END_RE = re.compile(r",\s+(according to)\s+[^,;:“”\"]{1,80}?[.!?]?[\s”’\"]*$", re.IGNORECASE)
_LEAD_PARAGRAPHS = 1  # paragraphs (from 0) of an article's lead, where a speaker named later may be unnamed
_NAMED_LATER_CHARS = 3000  # how far below the lead that speaker's name is searched
_ARTICLE_BEFORE_RE = re.compile(r"(?:^|\s)(?:[Tt]he|[Aa]n?)\s+$")
_LOWER_WORD_AFTER_RE = re.compile(r"[ -]([a-z][a-z-]+)\b")
_POSSESSIVE_BEFORE_RE = re.compile(r"\b(?:its|his|her|their|our|my|Its|His|Her|Their|Our|My)\s+$")


def _search(pattern: str, text: str) -> re.Match | None:
    """re.search, except that the full stop of an abbreviation ("Sen.", "Dr.", "Charles Q.") stops nothing."""
    for match in re.finditer(pattern, text):
        if match.group(0) == "." and ends_abbreviation(text, match.start()):
            continue
        return match
    return None


def _contains(long: list[str], short: list[str]) -> bool:
    """True when the tokens of `short` appear in `long` in order ("Tan" in "Tan Wei Ming")."""
    remaining = iter(long)
    return all(any(token == other for other in remaining) for token in short)


@dataclass(frozen=True)
class _Mention:
    start: int
    end: int
    speaker: str | None
    entity_name: str | None
    person: bool = False  # a person by name or by pronoun: preferred as the speaker of a clause
    possessive: bool = False  # "Kelce's mom": names someone else
    object_: bool = False  # "told X", "letter to X": not the speaker
    pronoun: bool = False
    antecedent: int = -1  # for a pronoun: where the person it stands for was named
    role: bool = False  # a description ("the chief inspector") rather than a name
    document: bool = False  # "the statement said": whoever spoke last in the article


class _Resolver:
    """Finds who a clause names, resolving pronouns and descriptions to the article's entities."""

    def __init__(
        self, text: str, entities: list[Entity], quoted: list[QuotedSpan], sentences: list[tuple[int, int]] | None = None
    ) -> None:
        self.text = text
        self.sentences = sentences or []
        inside = [(q.start, q.end) for q in quoted]
        self.inside = inside
        self.quoted = quoted
        # people named inside quotes are talked about, not talking
        self.entities = [
            e for e in entities if e.label != "PERSON" or not any(s <= e.start_char and e.end_char <= t for s, t in inside)
        ]
        self.all_entities = entities
        self.paragraphs = paragraph_bounds(text)
        self._genders: dict[str, str | None] | None = None

    def gender(self, name: str | None) -> str | None:
        """"m", "f" or None for a person of the article, from what the article says of them.

        Votes: a title ("Mrs.", "Sir"); "X said he/she …"; and a sentence opening with "He" or
        "She" right after a sentence whose first-named person is X. A clear majority decides.
        """
        if self._genders is None:
            votes: dict[str, list[int]] = {}
            people = sorted((e for e in self.all_entities if e.label == "PERSON"), key=lambda e: e.start_char)
            first_in_sentence: dict[tuple[int, int], Entity] = {}
            for person in people:
                if self.sentences:
                    first_in_sentence.setdefault(sentence_at(self.sentences, person.start_char), person)
            for person in people:
                tally = votes.setdefault(person.name, [0, 0])
                title = self.text[max(0, person.start_char - 6) : person.start_char].split()[-1:] or [""]
                for word in (title[0], person.text.split()[0]):
                    word = word.lower().rstrip(".")
                    tally[0] += 2 * (word in _MALE_TITLES)
                    tally[1] += 2 * (word in _FEMALE_TITLES)
                said = _SAID_PRONOUN_RE.match(self.text, person.end_char, min(len(self.text), person.end_char + 40))
                if said:
                    tally[0 if said.group(1).lower() == "he" else 1] += 1
            for sentence, person in first_in_sentence.items():
                opening = _OPENING_PRONOUN_RE.match(self.text, sentence[1], min(len(self.text), sentence[1] + 8))
                if opening:
                    votes[person.name][0 if opening.group(1) == "He" else 1] += 1
            self._genders = {
                name: ("m" if m >= 2 * f + 1 else "f" if f >= 2 * m + 1 else None) for name, (m, f) in votes.items()
            }
        return self._genders.get(name) if name else None

    def is_object(self, entity: Entity) -> bool:
        """A name after "to", "with", "in", "from Lord" …: the object of the clause, not its speaker."""
        before = self.text[max(0, entity.start_char - 40) : entity.start_char]
        words = before.split()
        titled = False
        while words and words[-1].lower().rstrip(".") in TITLES:
            words.pop()
            titled = True
        if titled and len(words) > 1 and re.fullmatch(r"[A-Z][\w’'-]*", words[-1]):
            words.pop()  # "a meeting with Nato Secretary General Mark Rutte": the body the title belongs to
        if words and words[-1].lower() == "as" and _AS_SUBJECT_RE.match(self.text, entity.end_char):
            return False  # "as Montoya-Lewis herself said": the subject of the verb
        return bool(_OBJECT_BEFORE_RE.search(" ".join(words) + " "))

    def _latest(self, before: int, wanted) -> Entity | None:
        best = None
        for entity in self.entities:
            if entity.end_char <= before and wanted(entity):
                best = entity
        return best

    def _latest_subject(self, before: int, gender: str | None = None, depth: int = 0) -> Entity | None:
        """The person a pronoun stands for: the latest first-named person of a sentence.

        "Trump said that his nominee, Howard Lutnick, had …. He also said" -> Trump. With a
        gender ("she"), people the article shows to be of the other one are passed over.
        """
        people = [
            e for e in self.entities
            if e.end_char <= before and e.label == "PERSON" and not self.is_object(e)
            and not _POSSESSIVE_AFTER_RE.match(self.text[e.end_char : e.end_char + 3])
            and not (gender and self.gender(e.name) not in (None, gender))
        ]
        if not people:
            return None
        subjects, seen = [], set()
        for person in people:
            sentence = sentence_at(self.sentences, person.start_char) if self.sentences else (person.start_char, person.end_char)
            if sentence not in seen:
                seen.add(sentence)
                subjects.append(person)
        subject = subjects[-1]
        if gender and self.sentences and depth < 4:
            # "She said she was 15 when Epstein began …. She said …": the sentence's subject is the
            # pronoun that opens it, so its person is the one that pronoun stands for
            sentence = sentence_at(self.sentences, subject.start_char)
            opening = _OPENING_PRONOUN_RE.match(self.text, sentence[0], min(len(self.text), sentence[0] + 8))
            if opening and opening.start(1) < subject.start_char and (opening.group(1) == "He") == (gender == "m"):
                return self._latest_subject(sentence[0], gender, depth + 1) or subject
        return subject

    def _opener(self, start: int, end: int) -> tuple[int, int, Entity | None] | None:
        """The name a sentence opens with, as its subject ("Ana de la Vega holds …", "On Wednesdays,
        Tom Reed walks …"): (start, end, the PERSON entity or None for a name NER did not call a person).

        A name NER did not tag as a person counts only when it is not a place or nationality, none
        of its words is ever written in lower case in the article ("Police", "Officials" are), and
        NER found it somewhere in the article as some name (a person it took for an organisation).
        """
        runs = [_OPENER_RUN_RE.match(self.text, start, end)]
        intro = _INTRO_RE.match(self.text, start, end) or _PARTICIPLE_INTRO_RE.match(self.text, start, end)
        if intro:
            runs.append(_OPENER_RUN_RE.match(self.text, intro.end(), end))
        conjunction = _CONJUNCTION_RE.match(self.text, start, end)
        if conjunction:  # "And Ramaswamy, a major skeptic of Ukraine aid, again accused …"
            runs.append(_OPENER_RUN_RE.match(self.text, conjunction.end(), end))
        for run in runs:
            if not run or any(s <= run.start() < t for s, t in self.inside):
                continue
            a, b = run.start(), run.end()
            if _POSSESSIVE_AFTER_RE.match(self.text[b : b + 3]):
                continue  # "Pakistan’s military said": the name qualifies the subject
            people = [e for e in self.all_entities if e.label == "PERSON" and a <= e.start_char < b]
            if people:
                # "Prime Minister X", "Indian Defence Minister X" open with X; "After X won …" does not
                lead = self.text[a : people[0].start_char].split()
                if not any(w in _LEAD_WORDS or w in _NOT_NAMES for w in lead):
                    return people[0].start_char, people[0].end_char, people[0]
                continue
            if any(e.start_char < b and a < e.end_char and e.label in _NOT_PERSON_LABELS for e in self.all_entities):
                continue
            tokens = list(re.finditer(r"\S+", run.group(0)))
            while tokens and tokens[0].group(0).lower().rstrip(".") in TITLES:
                tokens = tokens[1:]
            if not tokens or tokens[0].group(0) in _NOT_NAMES or tokens[0].group(0) in _LEAD_WORDS:
                continue
            # "Acme Research senior economist Ana Lind said": the name qualifies the person after it
            qualified = next(
                (e for e in self.all_entities if e.label == "PERSON" and b <= e.start_char <= b + 60
                 and re.fullmatch(r"(?:\s+[A-Za-z][\w’'-]*){0,5}\s+", self.text[b : e.start_char])
                 and not _CUE_RE.search(self.text, b, e.start_char)), None
            )
            if qualified:
                return qualified.start_char, qualified.end_char, qualified
            if any(self._lower_case(t.group(0)) for t in tokens):
                continue
            first = tokens[0].group(0).rstrip(".")
            if not any(
                e.label not in _NOT_PERSON_LABELS and first in e.text.split()
                and not (e.label == "ORG" and has_org_word(e.text))  # "Worcester" of "Worcester University"
                for e in self.all_entities
            ):
                continue  # "Influenced by …, he": a capitalised word the article never names as anyone
            return a + tokens[0].start(), b, None
        return None

    def _spokesperson_for(self, start: int, end: int) -> Entity | None:
        """The organisation of "a spokesperson for X said" in text[start:end]: who a later "he said"
        speaks for when the spokesperson is not named."""
        match = _SPOKESPERSON_FOR_RE.search(self.text, start, end)
        return self._spoken_for(match, end) if match else None

    def named_later(self, mention: _Mention) -> _Mention | None:
        """The person an article's lead calls "A DUP councillor" and names further down ("DUP
        Balmoral councillor Sarah Bunting", "Sarah Bunting, a DUP councillor"): the one person
        whose name comes with the same role noun (and a capitalised qualifier of it, if any)."""
        words = mention.speaker.split() if mention.speaker else []
        if len(words) < 2 or words[0].lower() not in ("a", "an"):
            return None
        role, qualifiers = words[-1].lower(), {w for w in words[1:-1] if w[:1].isupper()}
        found: dict[str, Entity] = {}
        for entity in self.all_entities:
            if entity.label != "PERSON" or not mention.end < entity.start_char <= mention.end + _NAMED_LATER_CHARS:
                continue
            line_start = self.text.rfind("\n", 0, entity.start_char) + 1
            before = self.text[max(line_start, entity.start_char - 40) : entity.start_char]
            after = self.text[entity.end_char : entity.end_char + 60].split("\n")[0]
            described = re.search(rf"\b{re.escape(role)}\s+(?:[A-Z][\w.’'-]*\s+)?$", before, re.IGNORECASE)
            apposition = re.match(rf",\s+(?:an?|the)\s+(?:[\w’'-]+\s+){{0,3}}{re.escape(role)}\b", after, re.IGNORECASE)
            phrase = before if described else (apposition.group(0) if apposition else None)
            if phrase is not None and (not qualifiers or any(q in phrase.split() for q in qualifiers)):
                found[entity.name] = entity
        if len(found) != 1:
            return None
        entity = next(iter(found.values()))
        return _Mention(entity.start_char, entity.end_char, entity.name, entity.name, True)

    def _spoken_for(self, match: re.Match, end: int, people: bool = False) -> Entity | None:
        """The organisation X of a `_SPOKESPERSON_FOR_RE` match ("a spokesperson for X said",
        "said a spokesman for X."): the first organisation named between "for" and the speech
        verb, or within 60 characters when the verb came first; before `end`."""
        cue = _CUE_RE.search(self.text, match.end(), end)
        limit = cue.start() if cue else min(end, match.end() + 60)
        # the first organisation named before the verb ("… for the Universities and Colleges
        # Employers' Association (UCEA) said": NER may find only the abbreviation)
        # (NER's span may start with the "the" the pattern took: "for [the Metropolitan Police]")
        # with `people`, a person too ("a spokesperson for Sen. Kamala Harris, D-California")
        labels = ("ORG", "PERSON") if people else ("ORG",)
        return next(
            (e for e in self.all_entities if e.label in labels and match.start() < e.start_char < limit and e.end_char > match.end()),
            None,
        )

    def _lower_case(self, word: str) -> bool:
        """True when the article writes this capitalised word in lower case somewhere ("After" / "after")."""
        return bool(re.search(rf"\b{re.escape(word.rstrip('.').lower())}\b", self.text))

    def _speaker_sentence(self, start: int, end: int) -> Entity | None:
        """The person named before a speech verb in text[start:end] ("Author Ana Lind, from X, said …")."""
        cue = _CUE_RE.search(self.text, start, end)
        if not cue:
            return None
        named = [
            e for e in self.all_entities
            if start <= e.start_char and e.end_char <= cue.start()
            and not any(s <= e.start_char < t for s, t in self.inside) and not self.is_object(e)
            and not _POSSESSIVE_AFTER_RE.match(self.text[e.end_char : e.end_char + 3])
        ]
        found = next((e for e in named if e.label == "PERSON"), None) or next((e for e in named if self.titled_name(e)), None)
        if found is None and cue.group(0).lower() in ("asked", "asks"):
            # "a reporter asked Montoya-Lewis, “…?”": the person asked is who answers next
            return next(
                (e for e in self.all_entities if e.label == "PERSON" and 0 < e.start_char - cue.end() <= 2 and e.end_char <= end), None
            )
        return found

    def titled_name(self, entity: Entity) -> bool:
        """A name NER took for an organisation that a person's title introduces or follows: "ZHDA
        president, Tawanda Zvakada said", "Sacha Deshmukh, Amnesty International UK’s chief
        executive, said" (two to four capitalised words, none of them a title)."""
        return (
            entity.label == "ORG"
            and bool(_TITLED_NAME_RE.fullmatch(entity.text))
            and not any(word.lower() in TITLES for word in entity.text.split())
            and bool(
                _ROLE_BEFORE_RE.search(self.text[max(0, entity.start_char - 40) : entity.start_char])
                or _ROLE_AFTER_RE.match(self.text[entity.end_char : entity.end_char + 120])
            )
        )

    def _topic(self, before: int, gender: str) -> tuple[str, str | None, int] | None:
        """The person a "he"/"she" at `before` is about: the subject that opens the latest sentence
        before it (else the person named before a speech verb in it), in its paragraph or the
        narration paragraph before (paragraphs that open with a quote are the quotes themselves and
        are passed over). A person of the other gender there means the pronoun is someone else in
        that sentence: None, and the nearest-person rule decides. A name NER did not call a person
        counts when the next sentence opens with the same pronoun or is the pronoun's own.
        (name, entity name, where) or None.
        """
        if not self.sentences:
            return None
        index = next((i for i, (s, t) in enumerate(self.paragraphs) if s <= before <= t), None)
        narration = 0
        while index is not None and index >= 0 and narration < _TOPIC_PARAGRAPHS:
            p_start, p_end = self.paragraphs[index]
            index -= 1
            opening = next((q for q in self.quoted if q.open == p_start), None)
            if opening and len(opening.words(self.text)) > MIN_QUOTE_WORDS:
                continue  # a quote paragraph (not "“The Long Road” begins …", a title)
            narration += 1
            spans = [(s, t) for s, t in self.sentences if p_start <= s < min(p_end, before + 1)]
            for position in range(len(spans) - 1, -1, -1):
                s, t = spans[position]
                if s >= before:
                    continue
                opener = self._opener(s, min(t, before))
                if opener is None:
                    # no name opens it: a sentence with a named speaker ("Author X, from Y, said …") gives the topic
                    speaker = self._speaker_sentence(s, min(t, before))
                    if speaker is None:
                        body = self._spokesperson_for(s, min(t, before))
                        if body is not None:
                            return body.name, body.name, body.start_char  # "a spokesperson for X said …"
                        continue
                    if self.gender(speaker.name) not in (None, gender):
                        return None
                    opener = speaker.start_char, speaker.end_char, speaker
                a, b, entity = opener
                if entity is not None:
                    if _POSSESSIVE_AFTER_RE.match(self.text[entity.end_char : entity.end_char + 3]):
                        continue
                    if self.gender(entity.name) not in (None, gender):
                        return None  # "Ana Lind … met its director, Piet Dorn. “…,” he said": someone else in that sentence
                    return entity.name, entity.name, entity.start_char
                following = next(((s2, t2) for s2, t2 in self.sentences if s2 >= t), None)
                if following is None:
                    continue
                opening = _OPENING_PRONOUN_RE.match(self.text, following[0], min(len(self.text), following[0] + 8))
                if following[0] <= before < following[1] or (opening and (opening.group(1) == "He") == (gender == "m")):
                    mention = self.bare_name(a, b)
                    return mention.speaker, mention.entity_name, a
        return None

    def _place_modifier(self, entity: Entity) -> bool:
        """A place named between an article and a noun: "the Berlin wine merchant", "a Texas man"."""
        before = self.text[max(0, entity.start_char - 4) : entity.start_char]
        after = _LOWER_WORD_AFTER_RE.match(self.text, entity.end_char)
        return bool(_ARTICLE_BEFORE_RE.search(before)) and after is not None and not _CUE_RE.fullmatch(after.group(1))

    def mentions(self, start: int, end: int) -> list[_Mention]:
        """Candidate speakers named in text[start:end], in order."""
        found: list[_Mention] = []
        for entity in self.all_entities:
            if start <= entity.start_char and entity.end_char <= end and entity.label in SPEAKER_LABELS:
                if entity.label == "GPE" and (
                    _PARTY_STATE_RE.search(self.text[max(0, entity.start_char - 3) : entity.start_char])
                    or re.match(r"[RDI]-[A-Z]", entity.text)  # "D-California" taken whole by NER
                ):
                    continue
                if entity.label == "GPE" and self._place_modifier(entity):
                    continue  # "the Berlin wine merchant said": the place describes someone unnamed
                if any(s <= entity.start_char and entity.end_char <= t for s, t in self.inside):
                    continue  # '"Terrific guy," …': a word inside quote marks is quoted, not speaking
                # "its Washington embassy", "his Labour colleagues": a name after a possessive describes a noun
                object_ = self.is_object(entity) or bool(_POSSESSIVE_BEFORE_RE.search(self.text[max(0, entity.start_char - 8) : entity.start_char]))
                possessive = bool(_POSSESSIVE_AFTER_RE.match(self.text[entity.end_char : entity.end_char + 3]))
                person = entity.label == "PERSON" or self.titled_name(entity)
                found.append(_Mention(entity.start_char, entity.end_char, entity.name, entity.name, person, possessive, object_))
        taken = [(m.start, m.end) for m in found]
        named_after = [m.start for m in found if not m.object_]  # "through its Washington embassy" names no one
        people_after = [m.start for m in found if m.person and not m.object_]
        for match in _PRONOUN_RE.finditer(self.text, start, end):
            gender = "m" if match.group(0).lower() == "he" else "f"
            # "he said" is about the person the paragraph is about (the subject opening its latest
            # sentence), not whoever was named last ("… they train a dog named Rex while Reed looks …")
            topic = self._topic(match.start(), gender)
            if topic:
                name, entity_name, where = topic
                found.append(_Mention(match.start(), match.end(), name, entity_name, True, pronoun=True, antecedent=where))
                continue
            subject = self._latest_subject(match.start(), gender)
            name = subject.name if subject else None  # None: resolved later from the previous speaker
            where = subject.start_char if subject else -1
            found.append(_Mention(match.start(), match.end(), name, name, True, pronoun=True, antecedent=where))
        for match in _BARE_GROUP_RE.finditer(self.text, start, end):
            # "…," investigators said / police described as "…" / prison officials wrote: a group
            # named without a determiner (with one, the role rules below decide)
            if any(s < match.end() and match.start() < t for s, t in taken) or any(
                s <= match.start() < t for s, t in self.inside
            ):
                continue
            before = self.text[max(0, match.start() - 30) : match.start()]
            if _GROUP_DETERMINER_RE.search(before) or _OBJECT_BEFORE_RE.search(before):
                continue
            found.append(_Mention(match.start(), match.end(), match.group(0), None, role=True))
        for match in _THEY_RE.finditer(self.text, start, end):
            # "“Let her speak,” they chanted": the group of people named last ("hundreds of protesters")
            # ("shabby heads or dodgy fades": "heads" are people only as "heads of …")
            groups = [
                group for group in _GROUP_RE.finditer(self.text, max(0, match.start() - 400), match.start())
                if group.group(0).lower() != "heads" or self.text.startswith(" of ", group.end())
            ]
            if groups and not re.search(r"\b(?:his|her|their|its|my|our)\s+(?:\w+\s+)?$", self.text[max(0, groups[-1].start() - 20) : groups[-1].start()]):
                found.append(_Mention(match.start(), match.end(), groups[-1].group(0), None, role=True))
        def named(labels: tuple[str, ...], possessive: bool) -> list[tuple[int, int]]:
            """(start, end) of the names found with one of `labels` (possessives only if `possessive`)."""
            return [
                (m.start, m.end) for m in found
                if not m.pronoun and (possessive or not m.possessive)
                and any(e.start_char == m.start and e.label in labels for e in self.all_entities)
            ]

        modifiers = named(("GPE", "NORP"), possessive=True)
        org_modifiers = named(("ORG",), possessive=False)
        person_modifiers = named(("PERSON",), possessive=False)
        for match in _ROLE_RE.finditer(self.text, start, end):
            overlapping = [(s, t) for s, t in taken if s < match.end() and match.start() < t]
            # "a veteran GOP strategist": an organisation describing a person is no speaker either,
            # but "a Google spokesperson" speaks for Google (the organisation stays the mention)
            gap = self.text[match.end() : match.end() + 30]
            named_next = any(
                0 <= s - match.end() <= 30 and not re.search(r"[,.;:“”\"()]", gap[: s - match.end()])
                # "The ministry says … the Security Council", "a campaign staffer said that Chavez
                # Rodriguez is": a role, then a verb, then a name that is not the role's ("A Nato
                # official told the BBC" keeps the organisation of the role: see `describing`)
                and not any(match.group("org") or c.group(0).lower() not in ("told", "tells") for c in _CUE_RE.finditer(gap[: s - match.end()]))
                for s in named_after
            )
            describing = modifiers + (
                org_modifiers if match.group("person") and match.group("person").lower() not in _SPOKES_ROLES and not named_next else []
            ) + (
                # "an unnamed Harris campaign staffer said that …", "a Trump adviser": someone unnamed
                # close to the person ("Biden aide Ben LaBolt": the next name, not the role, speaks)
                person_modifiers if match.group("person") and match.group(0)[:2] in ("a ", "A ", "an", "An") and not named_next else []
            )
            if overlapping and all(
                (s, t) in describing and match.start() < s and t < match.end() for s, t in overlapping
            ):
                # "the Florida fan", "a Kyiv resident": the place only describes the person
                found = [m for m in found if (m.start, m.end) not in overlapping]
            elif overlapping:
                continue
            if named_next:
                continue  # "spokesperson Michèle LaRose": the name that follows is the speaker
            if any(0 <= s - match.end() <= 60 and _APPOSITIVE_GAP_RE.fullmatch(self.text[match.end() : s]) for s in people_after):
                continue  # "The Leader of Burnley Council, Councillor Afrasiab Anwar, said": so does this one
            phrase = match.group(0)
            definite = phrase.split()[0].lower() in ("the", "this", "that")
            if (match.group("person") or "").lower() in _SPOKES_ROLES and not definite and not match.group("plural"):
                # "a spokesperson for X said": X speaks; "a bureau spokesperson said": the organisation named last
                sentence_end = min(sentence_at(self.sentences, match.end())[1], end)
                sentence_end = sentence_end if sentence_end > match.end() else end  # no sentence there: the window
                spoken_for = _SPOKESPERSON_FOR_RE.match(self.text, match.start(), sentence_end)
                entity = (spoken_for and self._spoken_for(spoken_for, sentence_end, people=True)) or self._latest(
                    match.start(), lambda e: e.label == "ORG" and not is_outlet(self.text, e)
                )
                if entity:
                    # an organisation's spokesperson speaks as the organisation; a person's is someone else
                    # (the speaker says whose, the join key names the person)
                    speaker = f"{phrase} for {entity.name}" if entity.label == "PERSON" else entity.name
                    found.append(_Mention(match.start(), match.end(), speaker, entity.name, role=True))
                    continue
            determiner = phrase.split()[0].lower()
            if match.group("org") in _DOCUMENT_ROLES and not match.group("plural"):
                document = self._document(match, determiner)
                if document or determiner in ("a", "an"):
                    if document:
                        found.append(document)
                    continue  # "in a post on Facebook": says nothing of who wrote it
            if not definite or match.group("plural"):
                found.append(_Mention(match.start(), match.end(), phrase, None, role=True))
                continue
            # capitalised words between "the" and the noun qualify it: "the US President", "the Egyptian government"
            qualifiers = [w for w in phrase.split()[1:-1] if w[:1].isupper()]
            if match.group("person"):
                entity = (self._titled(match.group("person").lower(), qualifiers, match.start()) if match.group("person").lower() in _TITLE_ROLES
                          else None) or self._latest_subject(match.start())
            elif match.group("org") in _OUTLET_ROLES:
                entity = self._latest(match.start(), lambda e: is_outlet(self.text, e))
            elif match.group("org") in _POLICE_ROLES:
                # "the force said": the police force named last, not whatever organisation was
                entity = self._latest(match.start(), lambda e: e.label == "ORG" and bool(_POLICE_NAME_RE.search(e.name)))
            elif qualifiers:
                # "the Egyptian government": the description names the body better than the last organisation
                words = phrase.split()[1:]
                if words[0].lower() == "the":  # "that the Egyptian government"
                    words = words[1:]
                found.append(_Mention(match.start(), match.end(), " ".join(words), None, role=True))
                continue
            else:
                # "the court said": the court named last ("the 4th District Court of Appeal"), not
                # whichever organisation was named last (the company it ruled against)
                noun = re.compile(rf"\b{match.group('org')}\b", re.IGNORECASE)
                entity = self._latest(match.start(), lambda e: e.label == "ORG" and bool(noun.search(e.name))) or self._latest(
                    match.start(), lambda e: e.label == "ORG"
                )
            name = entity.name if entity else phrase
            found.append(
                _Mention(match.start(), match.end(), name, entity.name if entity else None, bool(match.group("person")), role=True)
            )
        found.extend(self._unnamed_mentions(start, end, found))
        return sorted(found, key=lambda m: m.start)

    def _next_to_cue(self, match: re.Match, found: list[_Mention]) -> bool:
        """A phrase right before or right after a speech verb that no mention already covers."""
        after = self.text[match.end() : match.end() + 1] == " " and _CUE_RE.match(self.text, match.end() + 1)
        before = _CUE_BEFORE_RE.search(self.text[max(0, match.start() - 40) : match.start()])
        return bool(after or before) and not any(m.start < match.end() and match.start() < m.end for m in found)

    def _unnamed_mentions(self, start: int, end: int, found: list[_Mention]) -> list[_Mention]:
        """Speakers named by a phrase next to a speech verb (not further: elsewhere the phrase is
        anything): 'said one of the keepers', an unnamed person; '“…,” the zoo said' / 'said the
        airline', the organisation named before whose name ends in that noun ("Oakland Zoo")."""
        added = []
        for pattern in (_ONE_OF_RE, _SOMEONE_RE):
            for match in pattern.finditer(self.text, start, end):
                if self._next_to_cue(match, found):
                    added.append(_Mention(match.start(), match.end(), match.group(0), None, person=True, role=True))
        for match in _THE_NOUN_RE.finditer(self.text, start, end):
            if _ROLE_RE.match(self.text, match.start()) or not self._next_to_cue(match, found + added):
                continue  # a role ("the ministry") is the role rules' to resolve
            word = match.group(1)
            entity = self._latest(
                match.start(), lambda e: e.label == "ORG" and len(e.name.split()) > 1 and e.name.split()[-1].lower() == word
            )
            if entity is not None:
                added.append(_Mention(match.start(), match.end(), entity.name, entity.name, role=True))
        return added

    def _document(self, match: re.Match, determiner: str) -> _Mention | None:
        """'His statement continued:' -> the man meant; 'its report' -> the organisation; 'the statement' -> the last speaker."""
        if determiner in ("his", "her"):
            subject = self._latest_subject(match.start(), "m" if determiner == "his" else "f")
            if subject is None:
                return None
            return _Mention(match.start(), match.end(), subject.name, subject.name, True, pronoun=True, antecedent=subject.start_char)
        entity = self._latest(match.start(), lambda e: e.label == "ORG")
        if determiner in ("its", "their"):
            return _Mention(match.start(), match.end(), entity.name, entity.name, role=True) if entity else None
        if determiner in ("the", "this", "that"):
            name = entity.name if entity else None
            return _Mention(match.start(), match.end(), name, name, role=True, document=True)
        return None

    def _titled(self, role: str, qualifiers: list[str], at: int) -> Entity | None:
        """'said the minister' -> the person the article introduces with that title ("Minister X", "X, the
        minister"): the latest before, else the first in the next 1,500 characters. Qualifiers ("US" in
        "the US President") must appear by the name too."""
        before = after = None
        title_re = re.compile(rf"\b{re.escape(role)}\b\.?\s+$", re.IGNORECASE)
        apposition_re = re.compile(rf",\s+(?:[\w’'-]+(?:\.\w+)*\.?\s+){{0,4}}?{re.escape(role)}\b", re.IGNORECASE)
        for entity in self.all_entities:
            if entity.label != "PERSON":
                continue
            head = self.text[max(0, entity.start_char - 40) : entity.start_char]
            tail = self.text[entity.end_char : entity.end_char + 50]
            apposition = apposition_re.match(tail)
            if apposition and entity.end_char <= at < entity.end_char + apposition.end():
                apposition = None  # "Mark Rutte, the US President said": the phrase being resolved itself
            if not (title_re.search(head) or apposition):
                continue
            context = tail[: apposition.end()] if apposition else head
            if not all(re.search(rf"\b{re.escape(q)}\b", context) for q in qualifiers):
                continue
            if entity.end_char <= at:
                before = entity
            elif after is None and entity.start_char - at <= 1500:
                after = entity
        return before or after

    def around_cue(self, start: int, end: int, cue: re.Match) -> _Mention | None:
        """The speaker of a cue inside text[start:end].

        "According to X": the first person named after the cue, else the first name. Otherwise
        the first person (by name or pronoun) before the cue, the subject of the clause; else
        the nearest name before it; else, for inverted attribution ("said X"), the first after.
        """
        if cue.group(0).lower() == "according to":
            stop = re.search(r"[,;:“\"]", self.text[cue.end() : end])
            after = [m for m in self.mentions(cue.end(), cue.end() + stop.start() if stop else end) if m.speaker]
            people = [m for m in after if m.person]
            return people[0] if people else (after[0] if after else None)
        mentions = [m for m in self.mentions(start, end) if (m.speaker or m.pronoun) and not m.possessive and not m.object_]
        left = [m for m in mentions if m.end <= cue.start()]
        earlier = [c for c in _CUE_RE.finditer(self.text, start, cue.start()) if c.group(0).lower() != "according to"]
        if (
            earlier and not cue.group(0).lower().endswith("ing")  # "…, adding that": the same subject
            and any(m.start >= earlier[-1].end() and m.person and m.entity_name and not m.role for m in left if not m.pronoun)
        ):
            # "Lacerda said Epstein told her:": the name after the earlier verb is this verb's subject
            left = [m for m in left if m.start >= earlier[-1].end()]
        # "When Jones left, Smith said" / "Asked if Harris is eligible, Trump replied": the subject is
        # in the comma-free stretch right before the verb when a person is named (or a pronoun) there
        last_comma = self.text.rfind(",", start, cue.start())
        near = [m for m in left if m.start > last_comma and (m.pronoun or (m.person and m.entity_name and not m.role))]
        if last_comma >= 0 and near:
            left = near
        named = [m for m in left if m.person and m.entity_name and not m.pronoun and not m.role]
        pronouns = [m for m in left if m.pronoun]
        if named:
            head = named[0]
            for other in named[1:]:
                if not _ROLE_GAP_RE.fullmatch(self.text[head.end : other.start]):
                    break
                head = other
            return head
        if pronouns:
            return pronouns[-1]
        if left:
            return left[-1]
        # a name NER missed, right before the verb: '… Lacerda claimed:'
        after_names = max([e.end_char for e in self.all_entities if e.end_char <= cue.start()], default=0)
        name = _NAME_BEFORE_RE.search(self.text, max(start, cue.start() - 60, after_names), cue.start())
        if name and name.group(1).split()[0] not in _NOT_NAMES:
            return self.bare_name(name.start(1), name.end(1))
        # inverted attribution: '… said Nowak' / '… said the minister', the name right after the verb
        objects = ("asked", "told", "tells", "urged", "urges", "called", "calling", "telling", "reminded", "reminds", "quoted")
        if cue.group(0).lower() in objects:
            return None
        # '"…," says the letter, signed by Sens. Chris Van Hollen, …': the first signer
        signed = _SIGNED_BY_RE.match(self.text, cue.end(), end)
        if signed:
            signer = next((m for m in self.mentions(signed.end(), end) if m.person and m.entity_name and not m.pronoun), None)
            if signer:
                return signer
        right = [m for m in mentions if 0 <= m.start - cue.end() <= 5]
        if not right or right[0].role:
            # "says the resort’s general manager Garrett Turta": the name the description leads to
            described = re.match(r"\s+(?:[\w’'-]+\s+){1,6}?(?=[A-Z])", self.text[cue.end() : end])
            person = next(
                (m for m in mentions if m.person and not m.pronoun and not m.role
                 and described and m.start == cue.end() + described.end()), None
            )
            if person and not _search(r"[,;.:(]", self.text[cue.end() : person.start]):
                return person
            # "says the former editor of the Standard, George Osborne": the name in apposition to the role
            role = _ROLE_RE.match(self.text, _SPACES_RE.match(self.text, cue.end()).end(), end)
            appositive = role and next(
                (m for m in mentions if m.person and not m.pronoun and not m.role and 0 <= m.start - role.end() <= 60
                 and _APPOSITIVE_GAP_RE.fullmatch(self.text[role.end() : m.start])), None
            )
            if appositive:
                return appositive
        if right and right[0].person and not right[0].pronoun:
            # "said Harris aide Ben LaBolt", "said DeSantis donor Dan Eberhart": the second name
            second = next((m for m in mentions if m.person and not m.pronoun and m.start > right[0].end), None)
            if second and _ROLE_GAP_RE.fullmatch(self.text[right[0].end : second.start]):
                return second
        if right and not right[0].person:
            # "said Kyiv resident Svitlana Onofryichuk": a place or group describing the person after it
            phrase_end = _search(r"[,;.:(—–]|\s(?:who|which|in|at|on)\s|$", self.text[right[0].end : end])
            limit = right[0].end + (phrase_end.start() if phrase_end else 0)
            person = next((m for m in mentions if m.person and not m.pronoun and right[0].end <= m.start < limit), None)
            if person and len(self.text[right[0].end : person.start].split()) <= 4:
                return person
        if right:
            return right[0]
        # a name NER missed: '… said nurse Priya Nair'
        name = _NAME_AFTER_RE.match(self.text, cue.end(), end)
        return self.bare_name(name.start(1), name.end(1)) if name else None

    def bare_name(self, start: int, end: int) -> _Mention:
        """A name NER missed ("Mr Tan said"): titles dropped, and the article's one longer name of a
        person that contains it ("Tan Wei Ming", named earlier or later) when there is one."""
        core = person_core(self.text[start:end])
        longer = {
            e.name for e in self.all_entities
            if e.label == "PERSON" and len(e.name.split()) > len(core) and _contains(e.name.split(), core)
        }
        maximal = [n for n in longer if not any(n != m and _contains(m.split(), n.split()) for m in longer)]
        if len(maximal) == 1:
            return _Mention(start, end, maximal[0], maximal[0], True)
        return _Mention(start, end, " ".join(core), None, True)


def _is_quote(text: str, span: QuotedSpan) -> bool:
    if len(span.words(text)) < MIN_QUOTE_WORDS:
        return False
    return not (is_cited_title(text, span) or is_title_like(text, span) or _is_subheading(text, span))


_SUBHEADING_MAX_CHARS = 150


def _is_subheading(text: str, span: QuotedSpan) -> bool:
    """A quote in a short line that ends without punctuation is a sub-heading teasing a quote of
    the body ("Burnham says city 'must not let rioters prevail'", "Pal says Harry 'fit plans for
    UK fame' after Suits"), not the quote itself; a quote of more than one sentence never is."""
    line_start = text.rfind("\n", 0, span.open) + 1
    line_end = text.find("\n", span.close)
    line_end = len(text) if line_end < 0 else line_end
    # U+FFFD: a character the page's encoding lost ("on Monday.\ufffd"), not the line's end
    line = text[line_start:line_end].rstrip().rstrip("\ufffd ").rstrip("”’\"'»«“‘")
    return (
        span.closed
        and line_end - line_start <= _SUBHEADING_MAX_CHARS
        and not re.search(r"[.!?…,;:]$", line)
        and not re.search(r"[.!?…]", text[span.start : span.end])
    )


def _attribute_after(text: str, resolver: _Resolver, span: QuotedSpan, limit: int):
    """'"…," she said' / '"…," said Nowak': the clause right after a quote that ends in punctuation."""
    closing = text[span.end : span.close] + text[span.close : span.close + 2].strip()[:1]
    if (
        not re.search(r"[,!?.—–-]", closing) and not text[span.start : span.end].rstrip().endswith(("?", "!"))
        and not _TRAILING_ATTRIBUTION_RE.match(text, span.close, limit)
    ):
        # "…" observed so far by …: the quote runs on inside a sentence, unless the sentence
        # ends by naming its source ('intends to “…” for the summit, according to Blinken’s aides.')
        source = _ACCORDING_AT_END_RE.search(text, span.close, limit)
        cue = _CUE_RE.match(text, source.start(1)) if source else None
        mention = resolver.around_cue(cue.start(), limit, cue) if cue else None
        if mention is None or mention.start > cue.end() + 5:
            return None  # "according to a letter to Microsoft": the source is the letter, not Microsoft
        return mention, "according to", span.open
    clause = text[span.close : limit]
    if not re.match(r"^[\s,—–-]*[\w(]", clause) or re.match(r"^[\s,—–-]*(?:and|but|or|while|as|though|although|so)\b", clause):
        return None
    lead = len(clause) - len(re.sub(r"^[\s,—–-]+", "", clause))
    words = clause[lead:].split()
    head_end = span.close + lead + len(" ".join(words[:_ADJACENT_WORDS]))
    cue = _CUE_RE.search(text, span.close, min(limit, head_end + 1))
    if not cue:
        return None
    stop = _search(r"[.;!?]|,\s+(?:who|which|after|before|when|as|because|but|and)\b", text[cue.end() : limit])
    clause_end = cue.end() + stop.start() if stop else limit
    mention = resolver.around_cue(span.close + lead, clause_end, cue)
    if mention and mention.start >= cue.end() and cue.start() != span.close + lead:
        return None  # '"…," and has urged other NATO countries': a name after a later verb is an object
    return (mention, cue.group(0).lower(), span.open) if mention else None


def _in_as_clause(text: str, cue: re.Match, quote_open: int) -> bool:
    """A speech verb in an aside ("as the defence had claimed,") that more words follow before the quote."""
    return (
        bool(_AS_CLAUSE_RE.search(text[max(0, cue.start() - 60) : cue.start()]))
        and bool(re.match(r"\s*,", text[cue.end() : quote_open]))
        and len(text[cue.end() : quote_open].split()) > 3
    )


# "a Facebook group ", "the new film ": a noun phrase with an article (not "critics", not "he")
_NOUN_BEFORE_RE = re.compile(r"\b(?:[Aa]n?|[Tt]he)\s+(?:[\w’'-]+\s+){0,2}[a-z][\w-]*(?<!ly)\s+$")


def _after_passive(text: str, at: int) -> bool:
    """A verb at `at` follows a passive auxiliary ("was told", "is said")."""
    return bool(_PASSIVE_RE.search(text[max(0, at - 12) : at]))


def _names_the_quote(text: str, cue: re.Match, quote_open: int) -> bool:
    """"a Facebook group called ‘…’": a name given to a thing (a group, a film, a campaign), not speech."""
    noun = _NOUN_BEFORE_RE.search(text[max(0, cue.start() - 30) : cue.start()]) if cue.group(0).lower() == "called" else None
    return (
        noun is not None
        and not text[cue.end() : quote_open].strip()
        and not re.fullmatch(rf"(?i:{_PERSON_ROLES})s?", noun.group(0).split()[-1])  # "the president called “…”"
    )


def _attribute_before(text: str, resolver: _Resolver, span: QuotedSpan, start: int):
    """'Macron said that "…"' / 'according to X, … "…"' / 'X: "…"': the last cue before the quote."""
    cues = [
        c for c in _CUE_RE.finditer(text, start, span.open)
        if not _after_passive(text, c.start()) and not _names_the_quote(text, c, span.open)
    ]
    while len(cues) > 1 and _in_as_clause(text, cues[-1], span.open):
        cues.pop()  # "X said …, as the defence had claimed, he had “…”": X's verb, not the aside's
    if cues:
        mention = resolver.around_cue(start, span.open, cues[-1])
        if mention:
            return mention, cues[-1].group(0).lower(), cues[-1].end()
    if text[start : span.open].rstrip().endswith(":"):
        mentions = [m for m in resolver.mentions(start, span.open) if m.speaker]
        people = [m for m in mentions if m.entity_name and any(
            e.name == m.entity_name and e.label == "PERSON" for e in resolver.all_entities)]
        chosen = people[0] if people else (mentions[0] if mentions else None)
        if chosen:
            return chosen, ":", span.open
    return None


def _attribute(text: str, resolver: _Resolver, span: QuotedSpan, window: tuple[int, int], short: bool):
    """The attribution of one quote from its own sentence; a short quote only from an adjacent cue."""
    found = _attribute_after(text, resolver, span, window[1])
    if found:
        return found
    found = _attribute_before(text, resolver, span, window[0])
    if found and short and len(text[found[2] : span.open].split()) > 3:
        return None  # a few quoted words far from the verb are a scare quote, not a quote
    return found


def _attribute_from_introduction(text: str, resolver: _Resolver, paragraph: tuple[int, int], candidates, sentences):
    """'Tauqeer Ahmed says the problem is …' followed by a paragraph that is a bare quote."""
    start, end = paragraph
    if any(start <= c.open < end for c in candidates):
        return None
    cues = [c for c in _CUE_RE.finditer(text, start, end) if not _after_passive(text, c.start())]
    if not cues:
        return None
    sentence = sentence_at(sentences, cues[-1].start())
    mention = resolver.around_cue(sentence[0], sentence[1], cues[-1])
    return (mention, cues[-1].group(0).lower(), end) if mention and mention.person else None


def _attribute_from_subject(text: str, resolver: _Resolver, paragraph: tuple[int, int], candidates, sentences):
    """'Draper wrapped up his win in two hours.' followed by a paragraph that is a bare quote: the
    person the paragraph before ends on (the named person opening its last sentence) says it."""
    start, end = paragraph
    if any(start <= c.open < end for c in candidates) or not text[start:end].rstrip().endswith("."):
        return None  # a paragraph with a quote of its own, or no sentence ("Edward Mendelson, PCMag.com")
    last = next((s for s in reversed(sentences) if start <= s[0] < end), None)
    opener = resolver._opener(last[0], last[1]) if last else None
    if opener is None or opener[2] is None:
        return None
    person = opener[2]
    if _POSSESSIVE_AFTER_RE.match(text[person.end_char : person.end_char + 3]):
        return None  # "Godongwana’s budget documents show": the documents, not the person
    return _Mention(person.start_char, person.end_char, person.name, person.name, True), None, end


# A heading that announces a text printed in full below it, and whose it is: "The King's Speech
# 2024 full transcript", "Prince Harry's statement in full", "Full text of Biden's letter".
_FULL_TEXT_HEADING_RE = re.compile(
    r"(?:^|\b)(?:[Tt]he\s+)?((?:[A-Z][\w.-]*(?:['’](?!s\b)[\w-]+)*\s+){0,3}[A-Z][\w.-]*(?:['’](?!s\b)[\w-]+)*)['’]s?\s+"
    r"(?:\d{4}\s+)?(?i:(?:full|complete)\s+)?(?i:(speech|statement|letter|address|remarks|message|eulogy))\b"
)
_IN_FULL_RE = re.compile(r"\bin full\b|\b(?:full|complete)\s+(?:text|transcript|statement|speech|letter)\b|\btranscript\b", re.IGNORECASE)
_HEADING_MAX_CHARS = 120


def _attribute_from_heading(text: str, resolver: _Resolver, paragraph: tuple[int, int]):
    """A quote right under a heading that announces a speech, statement or letter in full
    ("The King's Speech 2024 full transcript"): the person or body the heading names.

    The heading is a short line that does not end a sentence; it names the author with a
    possessive. A title alone ("King", "President") is the one person the article names with that
    title ("King Charles"); a name is the article's person or organisation of that name."""
    start, end = paragraph
    line = text[start:end]
    heading = line.strip()
    if len(heading) > _HEADING_MAX_CHARS or heading[-1:] in ".!?,;”’\"'" or not _IN_FULL_RE.search(heading):
        return None
    match = _FULL_TEXT_HEADING_RE.search(heading)
    if match is None:
        return None
    offset = start + len(line) - len(line.lstrip()) + match.start(1)  # where the name is in the text
    people = [e for e in resolver.all_entities if e.label == "PERSON"]
    words = match.group(1).split()
    for first in range(len(words)):  # "Read Conor O'Brien's statement": the longest name that is someone's
        who = words[first:]
        if all(word.lower().rstrip(".") in TITLES for word in who):
            title = " ".join(who).lower()
            named = {
                e.name for e in people
                if e.text.lower().startswith(title + " ")
                or text[max(0, e.start_char - len(title) - 1) : e.start_char].lower() == title + " "
            }
        else:
            core = person_core(" ".join(who))
            named = {e.name for e in resolver.all_entities if e.label in SPEAKER_LABELS and _contains(e.name.split(), core)}
        if len(named) == 1:
            break
    else:
        return None
    name = named.pop()
    person = any(e.name == name for e in people)
    return _Mention(offset, offset + len(match.group(1)), name, name, person), match.group(2).lower(), end


def _with_short_attribution(text: str, sentences, span: QuotedSpan, sentence_end: int, paragraphs) -> int:
    """'“Was that real?” Mr. Ramaswamy said.': a quote that ends on ? ! or . ends its sentence, and
    the short sentence after it (a speech verb after at most four words and before at most three,
    not "admitted that …", no quote) is its attribution: the quote's sentence runs to its end."""
    if not span.closed or sentence_end > span.close + 1:
        return sentence_end
    start, end = sentence_at(sentences, sentence_end)
    if start != sentence_end or end > paragraphs[span.paragraph][1]:
        return sentence_end
    cue = _CUE_RE.search(text, start, end)
    after = text[cue.end() : end].split() if cue else []
    if (
        cue and len(text[start : cue.start()].split()) <= 4 and len(after) <= 3
        and "that" not in (word.lower() for word in after)  # "The minister admitted that he did."
        and text[start:end].rstrip().endswith(".") and not any(mark in text[start:end] for mark in "“”\"")
    ):
        return end
    return sentence_end


_SUBJECT_PRONOUN_RE = re.compile(r"\b(he|she)\b", re.IGNORECASE)


def _recent_person_quote(candidates, found, index: int, paragraph: int) -> int | None:
    """The index of the last quote before `index` that a person said, when it is at most
    `_INTERVIEW_PARAGRAPHS` paragraphs before `paragraph` (an interviewee speaking on)."""
    last = next((j for j in range(index - 1, -1, -1) if found[j] and found[j][0].person), None)
    return last if last is not None and candidates[last].paragraph >= paragraph - _INTERVIEW_PARAGRAPHS else None


def _answer_after_narration(text: str, resolver: _Resolver, paragraph: tuple[int, int], span: QuotedSpan, candidates, found, index):
    """A profile interview: 'He also thinks Starmer is doing the right thing.' and then a paragraph
    that is only a quote. The person quoted a few paragraphs before speaks on when the paragraph
    before is narration about them: it has no quote of its own, it says "he" or "she" as that
    person's gender is known, and no other person is named between their quote and that pronoun
    ('Mr. Ramaswamy came out swinging. He accused them …' is about Ramaswamy)."""
    start, end = paragraph
    last = _recent_person_quote(candidates, found, index, span.paragraph)
    if last is None:
        return None
    if any(start <= c.open < end and len(c.words(text)) > MIN_QUOTE_WORDS for c in candidates):
        return None
    speaker = found[last][0]
    pronoun = _SUBJECT_PRONOUN_RE.search(text, start, end)
    if pronoun is None or resolver.gender(speaker.entity_name) != ("m" if pronoun.group(1).lower() == "he" else "f"):
        return None
    since = candidates[last].close
    named = [e for e in resolver.all_entities if e.label == "PERSON" and since <= e.start_char < pronoun.start()]
    if named and max(named, key=lambda e: e.start_char).name != speaker.entity_name:
        return None  # "Her neighbour, Jane Doe, said she …": someone else
    return found[last]


def _attribute_from_previous_sentence(text: str, resolver: _Resolver, span: QuotedSpan, p_start: int, candidates, sentences):
    """'X told reporters more would follow. “…”': a quote opening a sentence, after a sentence of the
    same paragraph that has a speech verb and no quote of its own, is that sentence's speaker's."""
    before = text[p_start : span.open].rstrip()
    if not before.endswith((".", "!", "?")):
        return None
    sentence = sentence_at(sentences, p_start + len(before) - 1)
    if sentence[0] < p_start or any(sentence[0] <= c.open < span.open for c in candidates):
        return None
    cues = [c for c in _CUE_RE.finditer(text, sentence[0], sentence[1]) if not _after_passive(text, c.start())]
    if not cues:
        return None
    mention = resolver.around_cue(sentence[0], sentence[1], cues[-1])
    if not (mention and mention.person):
        # "…, but China will lead differently, says Yao.": the inverted clause after the last comma
        comma = text.rfind(",", sentence[0], cues[-1].start())
        if comma >= 0 and not text[comma + 1 : cues[-1].start()].strip():
            mention = resolver.around_cue(comma + 1, sentence[1], cues[-1])
    return (mention, cues[-1].group(0).lower(), sentence[1]) if mention and mention.person else None


def extract_direct_quotes(
    text: str, entities: list[Entity], quoted: list[QuotedSpan], sentences: list[tuple[int, int]]
) -> list[Quote]:
    """Quoted words with their speakers."""
    resolver = _Resolver(text, entities, quoted, sentences)
    candidates = [span for span in quoted if _is_quote(text, span)]
    # only full quotes bound each other's attribution windows; a short one may be a scare quote
    bounds = [span for span in candidates if len(span.words(text)) > MIN_QUOTE_WORDS]
    paragraphs = paragraph_bounds(text)
    found: list[tuple[_Mention, str] | None] = []
    for index, span in enumerate(candidates):
        sentence_start, _ = sentence_at(sentences, span.open)
        _, sentence_end = sentence_at(sentences, max(span.open, span.close - 1))
        sentence_end = _with_short_attribution(text, sentences, span, sentence_end, paragraphs)
        before = next((b for b in reversed(bounds) if b.close <= span.open), None)
        after = next((b for b in bounds if b.open >= span.close), None)
        window_start = max(sentence_start, before.close) if before and before.paragraph == span.paragraph else sentence_start
        window_end = min(sentence_end, after.open) if after and after.paragraph == span.paragraph else sentence_end
        previous = candidates[index - 1] if index else None
        short = len(span.words(text)) < MIN_QUOTE_WORDS + 1
        attribution = _attribute(text, resolver, span, (window_start, window_end), short)
        p_start, p_end = paragraphs[span.paragraph]
        if attribution is None and span.open == p_start and span.paragraph and text[:p_start].rstrip().endswith(":"):
            # 'Financial Times reported:' followed by the quoted passage as its own paragraph
            attribution = _attribute_before(text, resolver, span, sentence_at(sentences, p_start - 2)[0])
        # a quote that opens a paragraph (not the first), and one that is the whole paragraph
        opens_paragraph = span.open == p_start and span.paragraph > 0 and not short
        only_quote = opens_paragraph and p_end - span.close <= 1
        if attribution is None and opens_paragraph:
            attribution = _attribute_from_introduction(text, resolver, paragraphs[span.paragraph - 1], candidates, sentences)
        if attribution is None and opens_paragraph:
            attribution = _attribute_from_heading(text, resolver, paragraphs[span.paragraph - 1])
        if attribution is None and not short and span.closed and span.open > p_start:
            attribution = _attribute_from_previous_sentence(text, resolver, span, p_start, candidates, sentences)
        if attribution is None and only_quote and not span.markless:
            # a paragraph that is only a quote (a verb after it, even one we do not know, would name the speaker)
            attribution = _attribute_from_subject(text, resolver, paragraphs[span.paragraph - 1], candidates, sentences)
        if attribution is None and opens_paragraph:
            # an interview: the interviewer's question as a paragraph, the answer quoted after it,
            # by the person quoted a few paragraphs before
            q_start, q_end = paragraphs[span.paragraph - 1]
            last = _recent_person_quote(candidates, found, index, span.paragraph)
            if last is not None and text[q_start:q_end].rstrip().endswith("?") and not any(q.open == q_start for q in quoted):
                attribution = found[last]
        if attribution is None and only_quote:
            attribution = _answer_after_narration(text, resolver, paragraphs[span.paragraph - 1], span, candidates, found, index)
        if attribution is None and previous is not None and found[-1] is not None and not short:
            same_paragraph = previous.paragraph == span.paragraph
            whole_paragraph = span.open - p_start <= 1 and p_end - span.close <= 1
            if same_paragraph or (span.paragraph == previous.paragraph + 1 and whole_paragraph):
                attribution = found[-1]
                # "On that call, UPS CEO Carol Tomé sought to assure investors that … “…”": the one
                # person the quote's own sentence names, before it and with no pronoun before that
                # ("He accused Munir of “…”" is his), is its subject, not the last speaker
                named = [m for m in resolver.mentions(sentence_start, span.open) if m.person and not m.possessive] if same_paragraph else []
                people = [m for m in named if m.entity_name and not (m.pronoun or m.role or m.object_)]
                if (
                    len(people) == 1 and people[0].entity_name != found[-1][0].entity_name
                    and not any(m.pronoun and m.start < people[0].start for m in named)
                ):
                    attribution = people[0], None, span.open
        if attribution and attribution[0].pronoun:
            # "he said" after a quote by someone NER did not name: the last speaker is nearer
            last = next((f for f in reversed(found) if f), None)
            said = "m" if text[attribution[0].start : attribution[0].end].split()[0].lower() in ("he", "his") else "f"
            if (
                last and last[0].person and last[0].speaker and last[0].start > attribution[0].antecedent
                and resolver.gender(last[0].entity_name) in (None, said)
            ):
                attribution = (last[0], attribution[1])
            elif attribution[0].speaker is None:
                # 'A Sussex Police spokesman said “…”. He said: “…”': no person for the pronoun,
                # but the quote just before, in this paragraph or the one before, has a speaker
                near = previous is not None and found[-1] is not None and span.paragraph - previous.paragraph <= 1
                if near and resolver.gender(found[-1][0].entity_name) in (None, said):
                    attribution = (found[-1][0], attribution[1])
                else:
                    attribution = None
        if attribution and attribution[0].document:
            # "the statement said": the statement of whoever was quoted last
            last = next((f for f in reversed(found) if f), None)
            if last:
                attribution = (last[0], attribution[1])
            elif attribution[0].speaker is None:
                attribution = None
        found.append(attribution[:2] if attribution else None)
    # a quote over several paragraphs is often attributed only at its end
    for index in range(len(candidates) - 2, -1, -1):
        span, following = candidates[index], candidates[index + 1]
        if found[index] is None and not span.closed and following.paragraph == span.paragraph + 1:
            found[index] = found[index + 1]
    quotes = []
    for span, attribution in zip(candidates, found):
        if attribution:
            mention, cue = attribution
            if mention.role and mention.entity_name is None and span.paragraph <= _LEAD_PARAGRAPHS:
                mention = resolver.named_later(mention) or mention
            quotes.append(Quote(text[span.start : span.end], mention.speaker, mention.entity_name, cue, True, span.start, span.end))
    return quotes


_AS_BEFORE_RE = re.compile(r"(?:^|\s)[Aa]s\s+$")


def _passive(text: str, cue: re.Match) -> bool:
    """A reporting verb in the passive: "it was announced that", "…, as confirmed by X"."""
    return _after_passive(text, cue.start()) or bool(_AS_BEFORE_RE.search(text[max(0, cue.start() - 12) : cue.start()]))


def extract_reported_speech(
    text: str, entities: list[Entity], quoted: list[QuotedSpan], sentences: list[tuple[int, int]]
) -> list[Quote]:
    """'X said (that) …' sentences without quote marks: the reported words, direct=false."""
    resolver = _Resolver(text, entities, quoted)
    quotes = []
    for start, end in sentences:
        if any(start <= q.open < end for q in quoted):
            continue
        # "…, as confirmed by X." / "it was announced that": a passive verb has no speaker before it
        cue = next((c for c in _INDIRECT_CUE_RE.finditer(text, start, end) if not _passive(text, c)), None)
        if not cue:
            continue
        mentions = [m for m in resolver.mentions(start, cue.start()) if m.speaker and m.entity_name]
        if not mentions:
            continue
        content_start = cue.end()
        content_end = end
        while content_end > content_start and text[content_end - 1] in " .!?\n":
            content_end -= 1
        if len(text[content_start:content_end].split()) < 5:
            continue
        speaker = mentions[-1]
        verb = cue.group(1).split()[0]
        quotes.append(Quote(text[content_start:content_end], speaker.speaker, speaker.entity_name, verb, False, content_start, content_end))
    return quotes
