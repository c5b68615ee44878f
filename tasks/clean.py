"""Clean one input into main text and metadata: trafilatura for HTML, a simple rule for text.

`clean_page` is the pure entry point (bytes in, CleanedPage out, or Rejected raised);
the Prefect task that calls it over a batch lives in `flows/`.
"""

from __future__ import annotations

import json
import logging
import re
from collections import Counter
from contextvars import ContextVar
from copy import copy
from html import unescape as html_unescape
from datetime import UTC, datetime, timedelta
from functools import cache

from htmldate import find_date
from trafilatura import bare_extraction
from trafilatura.json_metadata import normalize_authors as _split_author_string
from trafilatura import core as _trafilatura_core
from trafilatura import json_metadata as _trafilatura_json
from trafilatura import metadata as _trafilatura_metadata
from trafilatura.json_metadata import JSON_UNICODE_REPLACE
from trafilatura.external import JUSTEXT_OVERRIDE_RATIO, SANITIZED_XPATH, justext_rescue
from trafilatura.metadata import JSON_MINIFY
from trafilatura.settings import DEFAULT_CONFIG, Document, set_date_params
from trafilatura.utils import HTML_STRIP_TAGS, line_processing, load_html, trim
from lxml.etree import XPath

from tasks.decode import decode_document
from tasks.records import CleanedPage, Rejected

# trafilatura, htmldate and courlan log every odd page at WARNING/ERROR. For this tool odd
# pages are normal data: the problem is kept as a reject reason, not printed to the user.
for _name in ("trafilatura", "htmldate", "courlan"):
    logging.getLogger(_name).setLevel(logging.CRITICAL)

EARLIEST_DATE = datetime(1990, 1, 1)
_BLANK_LINES_RE = re.compile(r"\n\s*\n\s*")
# A DOCTYPE with an internal subset (entity declarations: XXE, "billion laughs"). The HTML
# parser neither resolves nor expands them, but would keep the declarations as body text.
_DOCTYPE_SUBSET_RE = re.compile(r"<!DOCTYPE[^\[>]{0,500}\[.{0,100000}?\]\s*>", re.IGNORECASE | re.DOTALL)
# Output elements kept per page; trafilatura discards a page whose main text still has more
# after stripping inline tags. Real articles have a few hundred (the longest page of
# ../shared/eval far fewer than this), so the bound only ever cuts junk.
MAX_TREE_SIZE = 20_000
# We never let trafilatura fetch (tasks/fetch.py does), but nothing in this process may use its
# retry-without-certificate-check either: the library default is on, so turn it off for all users
# of its default configuration, and pass the same settings to every extraction.
DEFAULT_CONFIG["DEFAULT"]["INSECURE_SSL_FALLBACK"] = "off"
DEFAULT_CONFIG["DEFAULT"]["SSRF_PROTECTION"] = "on"
DEFAULT_CONFIG["DEFAULT"]["MAX_TREE_SIZE"] = str(MAX_TREE_SIZE)
TRAFILATURA_CONFIG = DEFAULT_CONFIG
# Page parts that are never article prose, removed before trafilatura picks the main text:
# picture captions (HTML's own <figcaption>), posts embedded from social networks (the
# platforms' standard embed markup: a blockquote the platform's script turns into a card),
# newsletter sign-up boxes (an element named "newsletter" holding a form) and author
# biography boxes. A box never holds the headline or an <article>, nor is it the page's
# <body> (some site builders name the body after every widget the page has).
# Measured on fundus: benchmarks/RESULTS.md, "Body: pruned page parts". One expression, so
# that the page is walked once (four expressions cost 2.3 ms a page, this one 1.4 ms).
_BOX = "not(self::body or self::html or .//h1 or .//article)"
PRUNE_XPATH = [
    "//*[self::figcaption"
    " or self::blockquote[contains(@class,'twitter-tweet') or contains(@class,'instagram-media')"
    " or contains(@class,'tiktok-embed')]"
    " or @class[contains(.,'newsletter') or contains(.,'author-bio') or contains(.,'author-box')]"
    f" and (contains(@class,'author-bio') or contains(@class,'author-box') or .//form) and {_BOX}]"
]
_LANG_RE = re.compile(r"<html[^>]*?\slang\s*=\s*[\"']?([A-Za-z]{2,3})\b", re.IGNORECASE)

# What bot protection and access-denied interstitials of the common CDNs and firewalls put in
# their page instead of the article (crawls archive them with status 200). Only a page with
# little text is judged by them: an article may well mention Cloudflare or load a captcha script.
_BLOCKED_PAGE_MARKS = {
    "Incapsula": re.compile(r"_Incapsula_Resource|Incapsula incident ID", re.IGNORECASE),
    "Cloudflare": re.compile(
        r"cf-browser-verification|cf_chl_opt|/cdn-cgi/challenge-platform/|Attention Required! \| Cloudflare"
        r"|cf-error-details|Checking your browser before accessing",
        re.IGNORECASE,
    ),
    "Akamai": re.compile(r"errors\.edgesuite\.net|You don't have permission to access .{0,200}on this server", re.IGNORECASE | re.DOTALL),
    "DataDome": re.compile(r"captcha-delivery\.com|geo\.captcha-delivery", re.IGNORECASE),
    "PerimeterX": re.compile(r"px-captcha|_pxCaptcha|Press &amp; Hold|Press & Hold to confirm", re.IGNORECASE),
    "Sucuri": re.compile(r"Sucuri WebSite Firewall", re.IGNORECASE),
    "AWS WAF": re.compile(r"aws-waf-token|awswaf\.com", re.IGNORECASE),
}
BLOCKED_PAGE_MAX_CHARS = 500


def blocked_page_vendor(html: str) -> str | None:
    """The service whose bot-protection or access-denied page this is, if it is one (see above)."""
    head = html[:50_000]
    return next((vendor for vendor, mark in _BLOCKED_PAGE_MARKS.items() if mark.search(head)), None)


def _reject_if_blocked(html: str, text: str) -> None:
    if len(text) < BLOCKED_PAGE_MAX_CHARS and (vendor := blocked_page_vendor(html)):
        raise Rejected(
            "clean", "blocked_page", f"a bot-protection or access-denied page ({vendor}), not the article ({len(text)} characters of text)"
        )


@cache
def language_identifier():
    """py3langid's identifier with normalised probabilities (loaded once per process)."""
    from py3langid.langid import MODEL_FILE, LanguageIdentifier

    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str, declared: str | None = None, min_chars: int = 200) -> str | None:
    """ISO 639-1 code of the text's language.

    A long enough text is classified from its words (py3langid); short texts trust what the
    page declares and fall back to a confident guess. None when nothing is convincing.
    """
    declared = declared.lower() if declared else None
    sample = text[:2000]  # measured: as accurate as 5,000 characters on fundus (242/250), ~2x cheaper
    if len(sample.strip()) < 20:
        return declared
    language, probability = language_identifier().classify(sample)
    if len(sample) >= min_chars and probability >= 0.9:
        return language
    if declared:
        return declared
    return language if probability >= 0.7 else None


def parse_published(value: str | None, now: datetime | None = None) -> datetime | None:
    """A publication date from trafilatura (YYYY-MM-DD...), dropped when absurd (pre-1990, future)."""
    if not value:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return None
    if parsed.tzinfo is not None:
        parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    latest = (now or datetime.now(UTC).replace(tzinfo=None)) + timedelta(days=2)
    return parsed if EARLIEST_DATE <= parsed <= latest else None


# ---- JSON-LD (schema.org) metadata: the publisher's own structured description of the article
# Opening tags only ([^<>] keeps every match within one tag): the element's end is found with
# str.find, so that unclosed elements in hostile pages cost one scan, not one per opening tag.
_LD_SCRIPT_RE = re.compile(r"<script\b[^<>]*?application/ld\+json[^<>]*>", re.IGNORECASE)
_LD_ARTICLE_TYPE_RE = re.compile(r"Article|BlogPosting|Report", re.IGNORECASE)
_LD_WRAPPER_RE = re.compile(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$")


@cache
def _closing_tag_re(tag: str) -> re.Pattern:
    return re.compile(f"</{re.escape(tag)}", re.IGNORECASE)


def closing_tag(html: str, tag: str, start: int = 0) -> int:
    """Where the first closing `tag` ("</script", any case) at or after `start` begins, or -1.

    Not `html.lower().find(…)`: lower-casing copies the whole page (7 ms for 2 MB), and it
    changes the length of some text ("İ" becomes two characters), which would shift every
    index after it.
    """
    match = _closing_tag_re(tag.lower()).search(html, start)
    return match.start() if match else -1


def json_ld_objects(html: str, max_scripts: int = 20) -> list[dict]:
    """Every JSON object of the page's JSON-LD scripts (lists and @graph flattened), in page order."""
    objects: list[dict] = []
    for match in _LD_SCRIPT_RE.finditer(html):
        end = closing_tag(html, "script", match.end())
        if end < 0 or max_scripts <= 0:
            break
        max_scripts -= 1
        try:
            data = json.loads(_LD_WRAPPER_RE.sub("", html[match.end() : end]).strip(), strict=False)
        except (ValueError, RecursionError):
            continue
        stack = [data]
        while stack and len(objects) < 500:
            item = stack.pop(0)
            if isinstance(item, list):
                stack[:0] = item
            elif isinstance(item, dict):
                objects.append(item)
                graph = item.get("@graph")
                if isinstance(graph, (list, dict)):
                    stack[:0] = graph if isinstance(graph, list) else [graph]
    return objects


def _ld_types(item: dict) -> list[str]:
    types = item.get("@type")
    return [t for t in (types if isinstance(types, list) else [types]) if isinstance(t, str)]


def json_ld_article(objects: list[dict]) -> dict | None:
    """The object that describes the article itself (NewsArticle, BlogPosting, ReportageNewsArticle ...)."""
    for item in objects:
        if any(_LD_ARTICLE_TYPE_RE.search(t) for t in _ld_types(item)):
            return item
    return None


def json_ld_authors(article: dict | None, objects: list[dict], organisations: list[str] | None = None) -> list[str]:
    """Names of the article's `author` entries (people or organisations; @id references resolved).

    Entries typed as an organisation are also appended to `organisations` when given.
    """
    if not article:
        return []
    by_id = {item["@id"]: item for item in objects if isinstance(item.get("@id"), str) and item.get("name")}
    entries, flat = [article.get("author")], []
    while entries:
        entry = entries.pop(0)
        if isinstance(entry, list):
            entries[:0] = entry
        else:
            flat.append(entry)
    names: list[str] = []
    for entry in flat:
        if isinstance(entry, dict) and not entry.get("name") and isinstance(entry.get("@id"), str):
            entry = by_id.get(entry["@id"], entry)
        if organisations is not None and isinstance(entry, dict) and any("Organization" in t for t in _ld_types(entry)):
            organisations.append(str(entry.get("name")))
        name = entry.get("name") if isinstance(entry, dict) else entry
        if isinstance(name, list):
            name = ", ".join(n for n in name if isinstance(n, str))
        if isinstance(name, str) and name.strip():
            names.append(_unescaped(name))
    return names


_URL_DATE_RE = re.compile(r"/((?:19|20)\d\d)([/-]?)(\d\d)\2(\d\d)(?:/|$|[-_.])")


def url_date(url: str | None) -> datetime | None:
    """A day written in the URL's path ("/2020/02/17/", "/20200413/", "/2020-02-17-...")."""
    match = _URL_DATE_RE.search(re.sub(r"^\w+://[^/]*", "", url or "").split("?")[0])
    if not match:
        return None
    try:
        return datetime(int(match.group(1)), int(match.group(3)), int(match.group(4)))
    except ValueError:
        return None


# A post on Twitter/X: its id is a "snowflake" whose top bits are its creation time, in
# milliseconds since Twitter's epoch (2010-11-04T01:42:54.657Z); ids before then are shorter.
_STATUS_URL_RE = re.compile(r"^https?://(?:(?:www|mobile)\.)?(?:twitter|x)\.com/\w+/status(?:es)?/(\d{17,20})(?!\d)", re.I)
_TWITTER_EPOCH_MS = 1_288_834_974_657


def status_url_date(url: str | None) -> datetime | None:
    """The creation time (UTC) of a Twitter/X post, read from the id in its URL (".../status/1281836879789404160")."""
    match = _STATUS_URL_RE.match(url or "")
    if not match:
        return None
    milliseconds = (int(match.group(1)) >> 22) + _TWITTER_EPOCH_MS
    return parse_published(datetime.fromtimestamp(milliseconds // 1000, UTC).replace(tzinfo=None).isoformat())


# MediaWiki's own generator tag; its pages' JSON-LD says when the page was created and last edited
_MEDIAWIKI_RE = re.compile(r"<meta\s+name\s*=\s*[\"']generator[\"']\s+content\s*=\s*[\"']MediaWiki\b", re.I)


def wiki_revision_date(article: dict | None, html: str, url: str | None = None) -> datetime | None:
    """The date of the revision a MediaWiki page shows (its JSON-LD dateModified).

    A wiki page is rewritten for years: the text read is that of its last edit, not of the
    page's creation (its datePublished, often years older).
    """
    value = article.get("dateModified") if article else None
    if not isinstance(value, str) or not _MEDIAWIKI_RE.search(html[:50_000]):
        return None
    return publisher_time(value, url, html)


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_ISO_PREFIX_RE = re.compile(r"^\s*(\d{4})-(\d\d)-(\d\d)(?:[T ](\d\d?):(\d\d?))?")
# "Tue, Sep 15 2020 10:01:41 EDT", "15 September 2020 10:01", "September 15, 2020"
_NAMED_MONTH_RE = re.compile(
    r"(?:\b(\d{1,2})(?:st|nd|rd|th)?\.?\s+)?\b(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?"
    r"(?:\s+(\d{1,2})(?:st|nd|rd|th)?)?,?\s+((?:19|20)\d\d)\b(?:,?\s+(?:at\s+)?(\d{1,2}):(\d\d))?",
    re.IGNORECASE,
)


def _named_month_date(day_before: str | None, month: str, day_after: str | None, year: str) -> tuple[int, int, int] | None:
    """(year, month, day) from the date groups of a `_NAMED_MONTH_RE` match; None unless exactly one day is written."""
    if bool(day_before) == bool(day_after):
        return None
    return int(year), _MONTHS.index(month.lower()[:3]) + 1, int(day_before or day_after)


def _loose_wall_time(value: str) -> str | None:
    """The wall time of a date that is not ISO 8601 ("2020-12-05T23:15:0Z", "Tue, Sep 15 2020 10:01:41 EDT").

    Any zone name or offset is dropped, as for ISO dates: the publisher's own day is wanted.
    """
    if match := _ISO_PREFIX_RE.match(value):
        year, month, day, hour, minute = (int(g) if g else 0 for g in match.groups())
    elif (match := _NAMED_MONTH_RE.search(value)) and (date := _named_month_date(*match.group(1, 2, 3, 4))):
        year, month, day = date
        hour, minute = int(match.group(5) or 0), int(match.group(6) or 0)
    else:
        return None
    try:
        return datetime(year, month, day, hour, minute).isoformat()
    except ValueError:
        return None


def json_ld_published(article: dict | None, url: str | None = None, html: str | None = None) -> datetime | None:
    """The article's JSON-LD datePublished as the publisher's local wall time (see `publisher_time`)."""
    if not article:
        return None
    value = article.get("datePublished") or article.get("dateCreated")
    return publisher_time(value, url, html) if isinstance(value, str) else None


def _finditer_by_core(pattern: re.Pattern, core: re.Pattern, reach: int, text: str):
    """`pattern.finditer(text)`, found faster through `core`: the pattern without its leading part.

    Python's re tries a pattern at every position of the text; a leading `\b` or optional
    prefix makes each try dear (measured 5-7x slower over a 200 kB page than the same pattern
    without it). `core` is `pattern`'s tail after a leading part at most `reach` characters
    long; each place `core` matches is tried with the whole `pattern` from `reach` characters
    before it, so the matches (and their groups) are exactly `pattern`'s.
    """
    pos = 0
    while (found := core.search(text, pos)) is not None:
        start = found.start()
        match = next(
            (m for at in range(max(pos, start - reach), start + 1) if (m := pattern.match(text, at)) is not None), None
        )
        if match is None:
            pos = start + 1
            continue
        yield match
        pos = max(match.end(), match.start() + 1)


# "2020-12-06 00:15", "2020-12-06T00:15:00": a wall time written in the page without a zone
_WALL_TIME_CORE = r"((?:19|20)\d\d)-(\d\d)-(\d\d)[T ](\d\d):(\d\d)(?::(\d\d))?(?![\d.:]|\s*(?:[zZ+-]|UTC|GMT))"
_WALL_TIME_RE = re.compile(r"\b" + _WALL_TIME_CORE)
_WALL_TIME_CORE_RE = re.compile(_WALL_TIME_CORE)


def _local_rendering(utc: datetime, html: str) -> datetime | None:
    """The same instant as a UTC time, written in the page as another wall time (the publisher's local time).

    A page that declares "2020-12-05T23:15Z" and elsewhere writes "2020-12-06 00:15" (no zone)
    tells its own offset: the same minute (and second, when both have one) a whole number of
    quarter hours away, at most 14 hours. Times that carry a zone are other instants, not
    renderings. The first such time in the first 500,000 characters wins.
    """
    for match in _finditer_by_core(_WALL_TIME_RE, _WALL_TIME_CORE_RE, 0, html[:500_000]):
        year, month, day, hour, minute = (int(g) for g in match.groups()[:5])
        second = match.group(6)
        if minute != utc.minute or (second is not None and utc.second and int(second) != utc.second):
            continue
        try:
            other = datetime(year, month, day, hour, minute, utc.second if second is None else int(second))
        except ValueError:
            continue
        offset = other - utc.replace(microsecond=0)
        if offset and abs(offset) <= timedelta(hours=14) and offset % timedelta(minutes=15) == timedelta(0):
            return other
    return None


def publisher_time(value: str, url: str | None = None, html: str | None = None) -> datetime | None:
    """A declared publication time as the publisher's local wall time (its offset dropped, not converted).

    A time in UTC ("Z", "+00:00") does not tell the publisher's day near midnight: when the
    URL's path carries the day before (the time early in the UTC day, as in the Americas'
    evening) or the day after (late in the UTC day, as in Asia's morning), the URL's day is
    the local one and is kept. Otherwise, when the page (`html`) writes the same instant as
    another wall time, that is the local time (see `_local_rendering`); a time before 03:00
    UTC on a page that declares a locale of the Americas (UTC-3 or earlier: the evening
    before there) is the day before, unless the URL carries the UTC day.
    """
    try:
        parsed = datetime.fromisoformat(value.strip())
        in_utc = parsed.utcoffset() == timedelta(0)
    except ValueError:
        loose = _loose_wall_time(value[:100])
        if not loose:
            return None
        parsed, in_utc = datetime.fromisoformat(loose), value.strip().upper().endswith("Z")
    local = parsed.replace(tzinfo=None)
    in_url = url_date(url) if in_utc else None
    if in_url:
        day = (in_url.date() - local.date()).days
        if (day == -1 and local.hour < 8) or (day == 1 and local.hour >= 14):
            return parse_published(in_url.isoformat())
    if in_utc and html and (rendered := _local_rendering(local, html)):
        return parse_published(rendered.isoformat())
    # early in the UTC day on a page of the Americas (and no URL that says it is the UTC day)
    if in_utc and local.hour < 3 and not (in_url and in_url.date() == local.date()) and html and _americas_locale(html):
        return parse_published((local - timedelta(days=1)).date().isoformat())
    return parse_published(local.isoformat())


# The page's declared locale: <html lang="fr-CA">, <meta property="og:locale" content="en_US">, dc.language
_LOCALE_RE = re.compile(
    r"<html\b[^<>]*?\slang\s*=\s*[\"']?[a-z]{2,3}[-_]([a-z]{2})\b"
    r"|<meta\b[^<>]*?(?:og:locale|dc\.language|content-language)[^<>]*?content\s*=\s*[\"']?[a-z]{2,3}[-_]([a-z]{2})\b",
    re.IGNORECASE,
)
# Countries of the Americas' mainland: local time is UTC-3 or earlier, so before 03:00 UTC it is the day before
_AMERICAS = {"us", "ca", "mx", "br", "ar", "cl", "co", "pe", "ve", "ec", "bo", "py", "uy", "gt", "hn", "sv", "ni", "cr", "pa"}


def _americas_locale(html: str) -> bool:
    """Whether the page declares a locale of the Americas (en-US, fr-CA, pt-BR, es-MX ...)."""
    match = _LOCALE_RE.search(html[:100_000])
    return bool(match) and (match.group(1) or match.group(2)).lower() in _AMERICAS


# Publication time declared in the markup: <meta property="article:published_time" content=…>,
# microdata <time itemprop="datePublished" datetime=…> / <meta itemprop="datePublished" content=…>.
# Opening tags only, within the first 500,000 characters.
_DECLARED_TAG_RE = re.compile(
    r"<(?:meta|time|span|div|p)\b[^<>]*?(?:property|name|itemprop)\s*=\s*[\"']?"
    r"(?:article:published_time|og:published_time|datePublished)[\"'\s>][^<>]*>",
    re.IGNORECASE,
)
_DATE_ATTRIBUTE_RE = re.compile(r"\s(?:content|datetime)\s*=\s*([\"'])([^\"'<>]{8,60})\1", re.IGNORECASE)


def declared_published(html: str, url: str | None = None) -> datetime | None:
    """The first publication time the page declares in meta or microdata markup (see `publisher_time`)."""
    for match in _DECLARED_TAG_RE.finditer(html[:500_000]):
        if (value := _DATE_ATTRIBUTE_RE.search(match.group(0))) and (found := publisher_time(value.group(2), url, html)):
            return found
    return None


# A publication date in the page's scripts' data: {"publishDate": "2020-05-20", firstPublicationDate: "20230428"}
_SCRIPT_DATE_CORE = r"publi(?:shed|cation|sh)_?(?:date|time|at|on)\b[\"']?\s*[:=]\s*[\"']?((?:19|20)\d\d)-?(\d\d)-?(\d\d)(?!\d)"
_SCRIPT_DATE_RE = re.compile(r"[\"']?\b(?:first_?)?" + _SCRIPT_DATE_CORE, re.IGNORECASE)
_SCRIPT_DATE_CORE_RE = re.compile(_SCRIPT_DATE_CORE, re.IGNORECASE)


def script_date(html: str) -> datetime | None:
    """The first publication date named in the page's script data (a key such as publishDate or publication_date)."""
    match = next(_finditer_by_core(_SCRIPT_DATE_RE, _SCRIPT_DATE_CORE_RE, 7, html[:1_000_000]), None)
    if not match:
        return None
    try:
        return parse_published(datetime(*(int(g) for g in match.groups())).isoformat())
    except ValueError:
        return None


_HEADING_OPEN_RE = re.compile(r"<(h[12])\b[^<>]*>", re.IGNORECASE)
# The months of the Solar Hijri calendar (Iran's official calendar: "2 تیر 1399" is 2020-06-22)
_SOLAR_HIJRI_MONTHS = ("فروردین", "اردیبهشت", "خرداد", "تیر", "مرداد", "شهریور", "مهر", "آبان", "آذر", "دی", "بهمن", "اسفند")
_PRINTED_DATE_RE = re.compile(
    r"\b((?:19|20)\d\d)-(\d\d)-(\d\d)\b|\b(\d{1,2})\.\s?(\d{1,2})\.\s?((?:19|20)\d\d)\b|"
    + _NAMED_MONTH_RE.pattern
    + r"|\b(\d{1,2})\s+(" + "|".join(_SOLAR_HIJRI_MONTHS) + r")\s+(1[34]\d\d)\b",
    re.IGNORECASE,
)
# Persian and Arabic-Indic digits as ASCII; Arabic yeh and kaf as the Persian letters (both are used in Persian text)
_PRINTED_DATE_CHARS = str.maketrans("۰۱۲۳۴۵۶۷۸۹٠١٢٣٤٥٦٧٨٩يك", "01234567890123456789یک")


def _solar_hijri_days(year: int, month: int, day: int) -> int:
    """A running day number of a Solar Hijri date (the 33-year arithmetic rule, 8 leap years a cycle)."""
    cycle_year = year + 1595  # the rule's cycles are counted from this shifted year
    days = 365 * cycle_year + (cycle_year // 33) * 8 + ((cycle_year % 33) + 3) // 4 + day
    return days + ((month - 1) * 31 if month <= 7 else 186 + (month - 7) * 30)


# 1 Farvardin 1399 (Nowruz) was 2020-03-20
_SOLAR_HIJRI_ORDINAL = datetime(2020, 3, 20).toordinal() - _solar_hijri_days(1399, 1, 1)


def solar_hijri_to_gregorian(year: int, month: int, day: int) -> datetime:
    """The Gregorian day of a Solar Hijri date (arithmetic rule; checked against the official calendar 1370-1404).

    Raises ValueError for a month or day that does not exist (as `datetime` does).
    """
    if not (1 <= month <= 12 and 1 <= day <= (31 if month <= 6 else 30)):
        raise ValueError(f"no Solar Hijri day {year}-{month}-{day}")
    return datetime.fromordinal(_solar_hijri_days(year, month, day) + _SOLAR_HIJRI_ORDINAL)


def headline_date(html: str, title: str | None, max_chars: int = 300, max_line: int = 80) -> datetime | None:
    """The date printed in the article's header, right after its headline (the first <h1>/<h2> with the title's text).

    News pages print the article's date under its headline ("13 Oct 2020 18:29"); the other
    dates of the page (today's date in the masthead, teasers) are elsewhere. The first date
    in a short text (at most `max_line` characters: a dateline, not a sentence or a caption)
    among the first `max_chars` characters of visible text after the headline, stopping at
    the first longer text (the article itself). ISO, "13.10.2020", English month names
    ("13 Oct 2020", "October 13, 2020") and Solar Hijri dates ("2 تیر 1399"; Persian digits too).
    """
    target = _fold(title or "")
    if len(target) < 15:
        return None
    for number, heading in enumerate(_HEADING_OPEN_RE.finditer(html[:1_000_000])):
        if number >= 50:  # bounds the work on hostile pages (thousands of unclosed headings)
            break
        inner = html[heading.end() : heading.end() + 2_000]
        end = closing_tag(inner, heading.group(1))
        if end < 0 or _fold(_TAG_RE.sub(" ", inner[:end])) != target:
            continue
        after = _visible_text(html[heading.end() + end : heading.end() + end + 5_000], separator="\n")
        header = []
        for line in html_unescape(after).split("\n"):
            line = " ".join(line.split())
            if len(line) > max_line or sum(map(len, header)) > max_chars:
                break
            if line:
                header.append(line)
        for match in _PRINTED_DATE_RE.finditer("\n".join(header).translate(_PRINTED_DATE_CHARS)):
            groups = match.groups()
            try:
                if groups[0]:
                    found = datetime(int(groups[0]), int(groups[1]), int(groups[2]))
                elif groups[3]:
                    found = datetime(int(groups[5]), int(groups[4]), int(groups[3]))
                elif groups[12]:
                    found = solar_hijri_to_gregorian(int(groups[14]), _SOLAR_HIJRI_MONTHS.index(groups[13]) + 1, int(groups[12]))
                elif date := _named_month_date(*groups[6:10]):
                    found = datetime(*date)
                else:
                    continue
            except ValueError:
                continue
            return parse_published(found.isoformat())
        return None
    return None


_WORD_RE = re.compile(r"\w+")


def _keep_declared_body(text: str, article: dict | None) -> str:
    """The main text without the lines the article's own JSON-LD articleBody does not have.

    Teasers, captions and link lists that trafilatura keeps are not in the publisher's
    articleBody; a line whose words are mostly missing from it goes. Only applied when the
    articleBody is substantial and the filter keeps most of the text (a truncated
    articleBody, a summary, must not cut the article).
    """
    declared = article.get("articleBody") if article else None
    if not isinstance(declared, str) or len(declared) < 200:
        return text
    vocabulary = Counter(w.lower() for w in _WORD_RE.findall(html_unescape(declared)))
    kept = []
    for line in text.split("\n"):
        words = Counter(w.lower() for w in _WORD_RE.findall(line))
        if not words or sum((words & vocabulary).values()) >= 0.5 * sum(words.values()):
            kept.append(line)
    filtered = "\n".join(kept)
    return filtered if len(filtered) > 0.5 * len(text) else text


# A line that only credits a picture: "Foto: dpa", "STR/AFP via Getty Images".
_CREDIT_LINE_RE = re.compile(
    r"^(?:(?:Photos?|Fotos?|Bild(?:er)?|Image|Picture|Credit|Quelle)\s*:\s*.{0,60}"
    r"|.{0,60}(?:Getty Images?|/AFP|/dpa|/Reuters|/AP|Shutterstock|iStock|imago images|picture alliance).{0,20})$",
    re.IGNORECASE,
)


# A line that only points elsewhere: "read more linda nolan", "Most read in Celebrity", "Read More
# on The Sun" (no sentence: no full stop, at most eight words after the lead words)
_TEASER_LINE_RE = re.compile(
    r"^(?:read more|most read|also read|read also|see also|related(?: articles?| stories)?|recommended)\b"
    r"(?:\s+[^\s.!?:]+){0,8}\s*$",
    re.IGNORECASE,
)


def _drop_boilerplate_lines(text: str) -> str:
    """The main text without picture credits, "read more" teasers and lines repeated three times or more.

    A sentence that recurs verbatim three times in one article ("External content not
    available", a consent notice under every embed) is page furniture, not prose.
    """
    lines = text.split("\n")
    counts = Counter(line for line in lines if len(line) >= 15)
    kept = [
        line for line in lines
        if counts[line] < 3 and not _CREDIT_LINE_RE.match(line.strip()) and not _TEASER_LINE_RE.match(line.strip())
    ]
    return "\n".join(kept) if any(line.strip() for line in kept) else text


_HIDDEN_OPEN_RE = re.compile(r"<(script|style|noscript|template|head)\b", re.IGNORECASE)
_ANY_TAG_RE = re.compile(r"<[^<>]*>")


def _visible_text(html: str, separator: str = " ") -> str:
    """The page's text outside <head>, scripts, styles and templates (tags replaced by `separator`)."""
    parts, start = [], 0
    for match in _HIDDEN_OPEN_RE.finditer(html):
        if match.start() < start:
            continue
        parts.append(html[start : match.start()])
        end = closing_tag(html, match.group(1), match.end())
        if end < 0:
            start = len(html)
            break
        start = end
    parts.append(html[start:])
    return _ANY_TAG_RE.sub(separator, " ".join(parts))


def _shown_on_page(snippet: str, html: str) -> bool:
    """Whether a text (its first 60 characters) is printed in the page body, not only in meta tags or scripts."""
    needle = _fold(snippet)[:60]
    return bool(needle) and needle in _fold(_visible_text(html[:2_000_000]))


def _with_lead(text: str, description: str | None, html: str) -> str:
    """The main text with the article's lead (standfirst) in front when trafilatura left it out.

    Many pages print their summary paragraph above the article body, outside the element
    trafilatura picks; the page's description is that paragraph when it is printed in the
    page itself. It is added unless the text already has it (its opening, or nearly all its words).
    """
    lead = " ".join((description or "").split())
    if len(lead) < 40 or lead.endswith(("...", "…")):
        return text
    words = Counter(w.lower() for w in _WORD_RE.findall(lead))
    have = Counter(w.lower() for w in _WORD_RE.findall(text))
    if _fold(lead)[:60] in _fold(text) or sum((words & have).values()) >= 0.9 * sum(words.values()):
        return text
    if not _shown_on_page(lead, html):
        return text
    return f"{lead}\n{text}"


_SENTENCE_END_RE = re.compile(r"[.!?\"“”»«…)。！？」』）]$")


def _drop_trailing_furniture(text: str, max_chars: int = 60) -> str:
    """The main text without short closing lines that end no sentence.

    What trafilatura keeps after the last paragraph is mostly page furniture: "Related
    articles", "Comment", a source or broadcast line, a teaser link. Lines shorter than
    `max_chars` without sentence-final punctuation are cut from the end (never below 3 lines).
    """
    lines = text.split("\n")
    while len(lines) > 3 and len(lines[-1].strip()) < max_chars and not _SENTENCE_END_RE.search(lines[-1].strip()):
        lines.pop()
    return "\n".join(lines)


def _tidy(text: str) -> str:
    lines = (line.strip() for line in text.replace("\r\n", "\n").replace("\r", "\n").split("\n"))
    return _BLANK_LINES_RE.sub("\n\n", "\n".join(lines)).strip()


def _paragraphs(body: str) -> str:
    """One paragraph per line, as trafilatura gives HTML bodies.

    With blank lines between paragraphs, lines inside one are a hard wrap and are joined;
    without any blank line, every line is a paragraph.
    """
    if "\n\n" not in body:
        return body
    return "\n".join(" ".join(block.split("\n")) for block in body.split("\n\n"))


def _drop_leading_title(text: str, title: str | None) -> str:
    """trafilatura keeps the headline as the body's first line; the title column has it."""
    first, _, rest = text.partition("\n")
    if title and rest and " ".join(first.split()) == " ".join(title.split()):
        return rest.lstrip()
    return text


def _drop_leading_headline(text: str, headlines: list[str]) -> str:
    """The main text without a first line that is the page's headline, alone or with a kicker.

    trafilatura often starts the text with the article's heading when it is worded unlike the
    <title> (`_drop_leading_title`): the `<h1>`, `og:title` or JSON-LD headline, or the
    heading with its kicker ("Kicker Headline", "Headline | Section"). The title column has
    it. A line that only starts or ends with a headline goes when the headline is most of it
    and the line ends no sentence.
    """
    first, _, rest = text.partition("\n")
    line = _fold(first)
    if not rest.strip() or len(line) > 250:
        return text
    for headline in {_fold(h) for h in headlines}:
        if len(headline) < 15:
            continue
        if line == headline or (
            (line.startswith(headline) or line.endswith(headline))
            and len(headline) >= 0.5 * len(line)
            and not _SENTENCE_END_RE.search(first.strip())
        ):
            return rest.lstrip()
    return text


def _headline_markup(html: str) -> tuple[list[str], list[str]]:
    """The inner markup of the page's first `<h1>`s and its `og:title`/`twitter:title`: one
    scan of the page, shared by the title and the main text (`_page_headlines`)."""
    return _H1_RE.findall(html[:500_000])[:3], [content for _, content in _META_TITLE_RE.findall(html[:200_000])[:1]]


def _page_headlines(markup: tuple[list[str], list[str]], headline: str | None, tag_gap: str = "") -> list[str]:
    """The page's own headlines: its first `<h1>`s (their inner tags replaced by `tag_gap`),
    `og:title`/`twitter:title` (`markup`, from `_headline_markup`) and the JSON-LD headline."""
    h1s, metas = markup
    return [_TAG_RE.sub(tag_gap, h) for h in h1s] + metas + ([headline] if headline else [])


_TITLE_SEPARATOR_RE = re.compile(r"\s+[|\-–—·•:»*]\s+|\s*[：｜|ㅣ]\s*")
# "Headline-정치ㅣ한국일보": a section name hyphenated to the headline, then a separator or the end
_ATTACHED_SECTION_RE = re.compile(r"-\w{1,12}(?:\s*[：｜|ㅣ]|\s+[|\-–—·•:»*]\s+|$)")
_DATE_ONLY_RE = re.compile(r"^[\d./\s-]+$")
# "by Maria Okafor": a byline segment (up to four capitalised names), never a headline
_BYLINE_SEGMENT_RE = re.compile(r"^(?:by|von|par|por|di|door|af|av)\s+(?:[A-ZÀ-Ý][\w.'’-]*\s*){1,4}$")
_INVISIBLE_RE = re.compile("[\u00ad\u200b\u200c\u200d\u2060\ufeff]")
_META_TITLE_RE = re.compile(
    r"<meta[^>]+(?:property|name)\s*=\s*[\"'](?:og:title|twitter:title)[\"'][^>]*content\s*=\s*([\"'])(.*?)\1", re.IGNORECASE
)
_TRANSLITERATION = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "é": "e", "è": "e", "à": "a", "ø": "o", "å": "a"})
_H1_RE = re.compile(r"<h1\b[^>]*>(.*?)</h1>", re.IGNORECASE | re.DOTALL)
_TAG_RE = re.compile(r"<[^>]+>")


def _unescaped(text: str) -> str:
    """Markup text as read: entities unescaped, whitespace runs folded to one space."""
    return " ".join(html_unescape(text).split())


def _fold(text: str) -> str:
    return " ".join(_INVISIBLE_RE.sub("", html_unescape(text)).split()).casefold()


def _site_words(site_name: str | None, url: str | None) -> set[str]:
    """Lower-cased words naming the site: its name and its host's labels."""
    words = set(re.findall(r"\w+", (site_name or "").casefold()))
    words.update(label for label in _host(url).split(".") if len(label) > 2)
    return words - {"com", "net", "org", "www", "the", "news"}


def _is_site_segment(segment: str, site: set[str]) -> bool:
    """A title segment that only names the site (or is a date): "Börsen-Zeitung", "DW", "13.06.2023"."""
    words = set(re.findall(r"\w+", segment.casefold().translate(_TRANSLITERATION)))
    if not words or _DATE_ONLY_RE.match(segment.strip()) or _BYLINE_SEGMENT_RE.match(segment.strip()):
        return True
    if not site or len(segment) > 60:
        return False
    if words <= site | {"de", "com", "online", "digital", "web", "news"}:
        return True
    if segment.casefold().translate(_TRANSLITERATION).replace(" ", "") in "".join(site):
        return True
    # a short trailing name that carries the site's own name ("Die Neue Südtiroler Tageszeitung")
    return len(words) <= 6 and any(len(word) >= 5 and word in site for word in words)


def _segment_run(title: str, headline: str) -> str | None:
    """The run of whole title segments after the first that reads as the headline, if any."""
    segments = _TITLE_SEPARATOR_RE.split(title)
    separators = _TITLE_SEPARATOR_RE.findall(title)
    inner = _fold(headline)
    if len(segments) > 12:  # no real title has more; bounds the pairs tried on hostile pages
        return None
    for start in range(1, len(segments)):
        joined = segments[start]
        for end in range(start + 1, len(segments) + 1):
            if _fold(joined) == inner:
                return joined.strip()
            if end < len(segments):
                joined += separators[end - 1] + segments[end]
    return None


def _agreed_headline(markup: tuple[list[str], list[str]], headline: str | None) -> str | None:
    """The headline the page states three times alike: its JSON-LD headline, its first <h1> and
    its og:title (or twitter:title). The <title> and trafilatura's pick may be an older or a
    search-engine version of it ("Forscher warnt: Verlernen Studierende das Lesen?" where all
    three read "Forscher aus Osnabrück warnt: Studierende verlernen das Lesen")."""
    h1s, metas = markup
    if not (headline and h1s and metas):
        return None
    sources = [_unescaped(text) for text in (headline, _TAG_RE.sub("", h1s[0]), metas[0])]
    return sources[0] if sources[0] and len({_fold(text) for text in sources}) == 1 else None


def normalise_title(
    title: str | None,
    html: str,
    site_name: str | None,
    url: str | None,
    headline: str | None = None,
    markup: tuple[list[str], list[str]] | None = None,
) -> str | None:
    """The headline without the site name around it.

    A page's <title> often reads "Headline - Site" or "Headline | Site | date": when the
    page's own headline (<h1>, og:title) is a part of the title, that is the headline;
    otherwise segments that only name the site, or are dates, are cut from either end.
    `markup`: the page's `_headline_markup`, when the caller has it already.
    """
    if not title:
        return title
    folded = _fold(title)
    markup = markup if markup is not None else _headline_markup(html)
    agreed = _agreed_headline(markup, headline)
    if agreed is not None:
        return agreed
    candidates = [_unescaped(candidate) for candidate in _page_headlines(markup, headline)]
    for text in candidates:
        inner = _fold(text)
        rest = folded[len(inner) :]
        # "Headline - Site …": the page's headline followed by anything after a separator
        if len(inner) >= 15 and folded.startswith(inner) and rest and (
            _TITLE_SEPARATOR_RE.match(title[len(text) :] or " ") or _ATTACHED_SECTION_RE.match(title[len(text) :])
        ):
            return text
    # "Section | Headline | Site": the page's headline as a whole segment run further in
    for text in candidates:
        if len(text) >= 25 and (found := _segment_run(title, text)):
            return found
    # "Kicker: Headline | Section - Site": the page's headline after a kicker and before more segments
    # (a kicker before a headline that ends the title stays: for many publishers it is part of it)
    for text in candidates:
        start = title.find(text) if len(text) >= 25 else -1
        if start > 0 and title[:start].rstrip().endswith(":") and _TITLE_SEPARATOR_RE.match(title[start + len(text) :]):
            return text
    site = _site_words(site_name, url)
    segments = _TITLE_SEPARATOR_RE.split(title)
    separators = _TITLE_SEPARATOR_RE.findall(title)
    if len(segments) < 2:
        return title
    start, end = 0, len(segments)
    while end - start > 1 and _is_site_segment(segments[end - 1], site):
        end -= 1
    while end - start > 1 and _is_site_segment(segments[start], site):
        start += 1
    if (start, end) == (0, len(segments)):
        return title
    kept = segments[start]
    for separator, segment in zip(separators[start : end - 1], segments[start + 1 : end]):
        kept += separator + segment
    return kept.strip() or title


_AUTHOR_LABEL_RE = re.compile(r"^(?:(?:[Aa]utor(?:in)?|[Bb]y|Von|Text|Journalist(?:in)?|Redakteur(?:in)?)\s*:?\s+)+")
# Korean bylines put the role after the name: "신현주 기자" (reporter), "… 특파원" (correspondent)
_AUTHOR_ROLE_AFTER_RE = re.compile(r"\s+(?:선임|수석)?(?:기자|특파원)$")
_AUTHOR_JOIN_RE = re.compile(r"\s+(?:and|und|og|och|y|et|e|en|i|&)\s+")
_COMPANY_RE = re.compile(r"\b(?:GmbH|Inc|Ltd|LLC|AG|S\.A|Verlag|Nast|Media Group|Developer)\b|https?\b|\bwww\b", re.IGNORECASE)
_ROLE_ONLY = {"journalist", "red", "redaktion", "agenturen", "autor", "author", "editor", "reporter", "staff"}


def _host(url: str | None) -> str:
    return re.sub(r"^https?://(?:www\.)?", "", url or "").split("/")[0].casefold()


def normalise_authors(authors: list[str], site_name: str | None, url: str | None) -> list[str]:
    """Author names cleaned of labels, publishers and repeats.

    "Autor Monika Bolliger" -> "Monika Bolliger"; "A og B" -> A, B; the publisher or site
    listed next to real authors is dropped (kept when it is the only byline); a site written
    as words ("Sportschau De") is its host again ("sportschau.de"); "Surname; Given" pairs
    are joined; slug copies ("Sophie-Foster") and case variants are merged; a lone capital
    between names is an initial ("Miguel A. Herguedas").
    """
    host = _host(url)
    if len(authors) >= 2 and len(authors) % 2 == 0 and all(re.fullmatch(r"[A-Z][\w'-]+", a) for a in authors):
        authors = [f"{authors[i + 1]} {authors[i]}" for i in range(0, len(authors), 2)]
    names: list[str] = []
    for raw in authors:
        raw = _AUTHOR_ROLE_AFTER_RE.sub("", _AUTHOR_LABEL_RE.sub("", raw.strip()))
        raw = re.sub(r"^.*?\bVon\s+(?=[A-Z])", "", raw)
        parts = _AUTHOR_JOIN_RE.split(raw)
        for part in parts if all(len(p.split()) >= 2 for p in parts) else [raw]:
            part = re.sub(r"(?<=\w )([A-Z])(?= \w)", r"\1.", part.strip())
            if host and part.casefold().split() == host.split("."):
                part = host
            if part and part.casefold() not in _ROLE_ONLY and not re.fullmatch(r"https?\S*|www\S*", part):
                names.append(part)
    unique: dict[str, str] = {}
    for name in names:
        key = re.sub(r"[\s.-]+", " ", name.casefold()).strip()
        if key not in unique or sum(w[:1].isupper() for w in name.split()) > sum(w[:1].isupper() for w in unique[key].split()):
            unique[key] = name
    names = list(unique.values())
    people = _people(names, site_name, url)
    return people if people else names


def _people(names: list[str], site_name: str | None, url: str | None) -> list[str]:
    """The names that are neither a company nor the site itself."""
    site = _site_words(site_name, url)
    return [n for n in names if not (_COMPANY_RE.search(n) or _names_site(n, site))]


def _split_authors(names: list[str]) -> list[str]:
    """JSON-LD author strings split into names as trafilatura splits bylines, keeping the page's case."""
    found: list[str] = []
    for source in names:
        split = _split_author_string(None, source)
        for name in (split or "").split("; "):
            start = source.lower().find(name.lower())
            if start >= 0 and len(source.lower()) == len(source):
                name = source[start : start + len(name)]
            if name.strip():
                found.append(name.strip())
    return found


def _names_site(name: str, site: set[str]) -> bool:
    """An author entry that is only the site's name ("Lesotho Times", "Heise Online")."""
    words = set(re.findall(r"\w+", name.casefold().translate(_TRANSLITERATION)))
    return bool(site and words) and words <= site | {"de", "com", "online", "digital", "web", "news", "redaktion"}


def _names(values) -> list[str]:
    """Categories or tags as trafilatura gives them, trimmed and without repeats."""
    seen: dict[str, None] = {}
    for value in values or []:
        value = " ".join(str(value).split())
        if value:
            seen.setdefault(value, None)
    return list(seen)


def clean_text_article(text: str, min_chars: int = 40, language_min_chars: int = 200) -> CleanedPage:
    """A plain-text article: the first non-empty line is the title, the rest the body."""
    text = _tidy(text)
    title, _, body = text.partition("\n")
    body = _paragraphs(body.strip())
    if len(body) < min_chars:
        raise Rejected("clean", "too_short", f"{len(body)} characters of body after the title line")
    language = detect_language(f"{title}\n{body}", min_chars=language_min_chars)
    return CleanedPage(title=title.strip() or None, text=body, language=language)


# trafilatura re-minifies and un-escapes every JSON-LD script before parsing it, which breaks some
# valid JSON (38 of the 1,867 throughput pages), and then reads the script with regular expressions
# whose cost grows with the square of its length: 1 s for one fundus page's 800 kB script, 8 s for
# a crafted 640 kB one. Scripts up to this size keep trafilatura's own handling.
JSON_LD_FALLBACK_MAX_CHARS = 20_000


_SURROGATE_RE = re.compile("[\ud800-\udfff]")
JSON_LD_SCRIPTS = XPath('.//script[@type="application/ld+json" or @type="application/settings+json"]')


def _normalize_json(string: str) -> str:
    """trafilatura's `normalize_json`, with its character-by-character filter of lone surrogates
    as one regular expression: the same result, much faster on long scripts with escapes."""
    if "\\" in string:
        string = string.replace("\\n", "").replace("\\r", "").replace("\\t", "")
        string = JSON_UNICODE_REPLACE.sub(lambda match: chr(int(match[1], 16)), string)
        string = _SURROGATE_RE.sub("", string)
        string = html_unescape(string)
    return trim(HTML_STRIP_TAGS.sub("", string))


def _read_json_ld(script: str) -> tuple[str, object]:
    """A JSON-LD script as trafilatura's metadata reader sees it: (its minified, normalised
    text, the parsed JSON or `_UNPARSED` when it is not JSON). Raises what else `json.loads`
    raises (RecursionError on absurdly deep JSON, ValueError on a number too long to convert),
    which ends trafilatura's JSON-LD reading of the page too."""
    text = _normalize_json(JSON_MINIFY.sub(r"\1", script))
    try:
        return text, json.loads(text, strict=False)
    except json.JSONDecodeError:  # what trafilatura catches (other errors end its JSON-LD reading)
        return text, _UNPARSED


_UNPARSED = object()


def _trafilatura_parses(script: str, parsed: dict | None = None) -> bool:
    """Whether trafilatura's JSON-LD reader parses this script (else it falls back to regexes).

    `parsed` keeps the reading by script text, for `PageMetadata` to reuse.
    """
    try:
        reading = _read_json_ld(script)
    except (ValueError, RecursionError):
        return False
    if parsed is not None:
        parsed[script] = reading
    return reading[1] is not _UNPARSED


# Next.js (App Router) pages stream their content as React Server Components "flight" data:
# self.__next_f.push([1,"…"]) scripts whose strings, joined, hold records; a long text is a
# record "<id>:T<length in UTF-8 bytes, hex>,<text>".
_FLIGHT_PUSH_RE = re.compile(r'self\.__next_f\.push\(\[1,\s*("(?:[^"\\]|\\.)*")\]\)')
_FLIGHT_TEXT_RE = re.compile(rb"(?:^|\n)[0-9a-f]+:T([0-9a-f]{1,8}),")
_FLIGHT_MIN_PARAGRAPHS = 3


def _flight_markup(html: str) -> str | None:
    """The article markup a page renders only in the browser: the flight text record with the most
    paragraphs (at least 3), or None."""
    if "self.__next_f.push" not in html:
        return None
    chunks = []
    for match in _FLIGHT_PUSH_RE.finditer(html):
        try:
            chunks.append(json.loads(match.group(1)))
        except ValueError:
            continue
    stream = "".join(chunk for chunk in chunks if isinstance(chunk, str)).encode("utf-8", "replace")
    best, most = None, _FLIGHT_MIN_PARAGRAPHS - 1
    for match in _FLIGHT_TEXT_RE.finditer(stream):
        text = stream[match.end() : match.end() + int(match.group(1), 16)].decode("utf-8", "replace")
        paragraphs = text.count("<p>") + text.count("<p ")
        if paragraphs > most:
            best, most = text, paragraphs
    return best


def _extract(tree, url: str | None, fast: bool):
    """The main text of a page, or of the markup a client-rendered page carries in its script
    data: trafilatura's `bare_extraction` with Newsroom's settings, without metadata (see
    `PageMetadata`), and without a readability run that cannot change the result (see
    `_extract_and_compare`)."""
    token = _SKIP_HOPELESS_READABILITY.set(True)
    try:
        return bare_extraction(
            tree,
            url=url,
            with_metadata=False,
            include_comments=False,
            include_tables=True,
            deduplicate=False,
            fast=fast,
            prune_xpath=PRUNE_XPATH,
            config=TRAFILATURA_CONFIG,
        )
    finally:
        _SKIP_HOPELESS_READABILITY.reset(token)


# trafilatura (not in fast mode) checks its own extraction against readability's, run on a copy
# of the whole page (~4 ms a page), and takes readability's when `_prefer_readability` says so.
# In the default (balanced) mode that needs one of: no own text; own text without paragraphs or
# with more tables than paragraphs; or readability's text over twice as long as its own.
# Readability's text is a part of the page's text (without scripts and styles), so when the
# page's whole text is at most twice as long as trafilatura's, readability cannot win and is
# not run: true of about half the pages, with the same result (`benchmarks/clean_snapshot.py`).
# Only Newsroom's calls (`_extract`) are affected; other callers in the process get stock
# trafilatura. tests/unit/test_clean.py holds this to trafilatura's own function.
_SKIP_HOPELESS_READABILITY: ContextVar[bool] = ContextVar("newsroom_skip_hopeless_readability", default=False)
_PAGE_TEXT = XPath("//text()[not(parent::script or parent::style)]", smart_strings=False)
_stock_extract_and_compare = _trafilatura_core._extract_and_compare


def _readability_cannot_win(body, text: str, tree, options) -> bool:
    """Whether trafilatura's `_prefer_readability` is bound to keep its own extraction."""
    if not text or options.focus != "balanced" or not body.xpath(".//p//text()"):
        return False
    if len(body.findall(".//table")) > len(body.findall(".//p")):
        return False
    return len(trim("".join(_PAGE_TEXT(tree)))) <= 2 * len(text)


def _extract_and_compare(cleaned_tree, cleaned_tree_backup, tree, options):
    """trafilatura's `_extract_and_compare`, without readability when it cannot win."""
    if options.fast or not _SKIP_HOPELESS_READABILITY.get():
        return _stock_extract_and_compare(cleaned_tree, cleaned_tree_backup, tree, options)
    body, text = _trafilatura_core.extract_content(cleaned_tree, options)
    if not _readability_cannot_win(body, text, tree, options):
        return _trafilatura_core.compare_extraction(cleaned_tree_backup, copy(tree), body, text, options)
    # the rest of trafilatura's `compare_extraction` with its own extraction kept: justext
    # replaces a text that holds page furniture or is short, when it does better
    unclean = bool(body.xpath(SANITIZED_XPATH))
    if unclean or len(text) < options.min_extracted_size:
        body2, text2 = justext_rescue(cleaned_tree_backup, options)
        if unclean:
            accept = len(text) <= JUSTEXT_OVERRIDE_RATIO * len(text2) and (
                len(text2) > len(text) or not options.images or body.find(".//graphic") is None
            )
        else:
            accept = len(text) < len(text2)
        if text2 and accept:
            body, text = body2, text2
    return body, text


_trafilatura_core._extract_and_compare = _extract_and_compare


def _trimmed(value: str | None) -> str | None:
    """A metadata string as trafilatura's `Document.clean_and_trim` leaves it."""
    if not isinstance(value, str):
        return value
    return line_processing(html_unescape(value[:9999] + "…" if len(value) > 10000 else value))


class PageMetadata:
    """trafilatura's `extract_metadata` for a parsed page, step for step, except for three fields:

    - `author()`: when the meta tags and JSON-LD name no author, trafilatura searches the page's
      markup for a byline (a copy of the whole tree, ~7 ms); the cleaning needs it only when the
      page's JSON-LD names no person, so it runs then;
    - `date()`: htmldate on the tree, the last of the cleaning's date sources, runs only when
      every earlier one found nothing;
    - the licence, which Newsroom does not keep, is not read.

    The other fields are `document`'s, computed as trafilatura does; its JSON-LD step
    (`_meta_json`) reuses the readings of the large scripts `_defuse_json_ld` already made
    (`json_ld_read`, by script text). Every cleaned field is the
    same as with `bare_extraction(with_metadata=True)` on the 2,325 pages of the shared sets,
    for ~3 ms a page less (benchmarks/RESULTS.md, "Metadata on demand");
    tests/unit/test_clean.py holds it to `extract_metadata` on the test pages, so a trafilatura
    upgrade that changes the steps shows there.
    """

    def __init__(self, tree, default_url: str | None = None, json_ld_read: dict | None = None) -> None:
        steps = _trafilatura_metadata
        self._tree = tree
        document = steps.examine_meta(tree)
        if document.author and " " not in document.author:
            document.author = None
        try:
            document = _meta_json(tree, document, json_ld_read or {})
        except Exception:  # trafilatura's own guard around its JSON-LD reading
            pass
        if not document.title:
            document.title = steps.extract_title(tree)
        self._search_author = not document.author
        if not document.url:
            document.url = steps.extract_url(tree, default_url)
        if document.url:
            document.hostname = steps.extract_domain(document.url, fast=True)
        if not document.sitename:
            document.sitename = steps.extract_sitename(tree)
        if document.sitename:
            document.sitename = document.sitename.lstrip("@")
            if document.sitename and "." not in document.sitename and not document.sitename[0].isupper():
                document.sitename = document.sitename.title()
        elif document.url and (match := steps.META_URL.match(document.url)):
            document.sitename = match[1]
        if not document.categories:
            document.categories = steps.extract_catstags("category", tree)
        if not document.tags:
            document.tags = steps.extract_catstags("tag", tree)
        document.clean_and_trim()
        self.document: Document = document

    def author(self) -> str | None:
        """trafilatura's author: the meta tags' or JSON-LD's, else the byline in the markup."""
        if self._search_author:
            self.document.author = _trimmed(_trafilatura_metadata.extract_author(self._tree))
            self._search_author = False
        return self.document.author

    def date(self) -> str | None:
        """trafilatura's date: htmldate's search of the tree, with trafilatura's settings."""
        params = set_date_params(TRAFILATURA_CONFIG.getboolean("DEFAULT", "EXTENSIVE_DATE_SEARCH"))
        return _trimmed(_trafilatura_metadata.find_date(self._tree, **{**params, "url": self.document.url}))


def _meta_json(tree, document: Document, json_ld_read: dict[str, tuple[str, object]]) -> Document:
    """trafilatura's `extract_meta_json`, reusing the scripts `_defuse_json_ld` already read."""
    for script in JSON_LD_SCRIPTS(tree):
        if not script.text:
            continue
        text, schema = json_ld_read.pop(script.text, None) or _read_json_ld(script.text)
        if schema is _UNPARSED:
            document = _trafilatura_json.extract_json_parse_error(text, document)
        else:
            document = _trafilatura_json.extract_json(schema, document)
    return document


def _client_rendered_article(html: str, url: str | None, fast: bool):
    """The text of a page whose article is only in its script data (see `_flight_markup`): the
    text extracted from that markup. None when there is no such markup or no text in it."""
    markup = _flight_markup(html)
    if markup is None:
        return None
    try:
        body = _extract(load_html(f"<html><body><article>{markup}</article></body></html>"), url, fast)
    except (ValueError, TypeError, AttributeError, RecursionError):
        return None
    return body.text if body is not None and (body.text or "").strip() else None


# The heading of a box of links to other articles ("You might also like", "Lesen Sie auch").
_RECIRCULATION_RE = re.compile(
    r"(?:you (?:might|may) also (?:like|be interested in)|related(?: articles| stories| news| content| coverage| posts)?"
    r"|more (?:from|on|stories|news|articles)\b.{0,40}|recommended(?: for you| stories| articles)?"
    r"|most (?:read|popular|viewed|shared)|trending(?: now| stories)?|lesen sie auch|mehr zum thema"
    r"|das könnte sie auch interessieren|weitere artikel|auch interessant|à lire aussi|lire aussi|leggi anche"
    r"|lee también|te puede interesar)[\s:.!?…]*",
    re.IGNORECASE,
)
_HEADINGS = XPath("//h1|//h2|//h3|//h4|//h5|//h6")
_LINKED_PARAGRAPHS = XPath("//p[.//a]")


def _link_chars(element) -> int:
    """How many characters of an element's text are link text."""
    return sum(len(link.text_content().strip()) for link in element.iter("a"))


def _drop_recirculation_boxes(tree) -> None:
    """Remove boxes of links to other articles that sit inside the article's container.

    A box is the parent of a heading such as "You might also like" whose text is mostly link
    text and that holds no <article>: the teasers in it ("RISK REMAINS: An official said …")
    read like paragraphs, and trafilatura kept them as the article's last paragraphs.
    """
    for heading in _HEADINGS(tree):
        if not _RECIRCULATION_RE.fullmatch(heading.text_content().strip()):
            continue
        box = heading.getparent()
        if box is None or box.tag in ("body", "html", "article") or box.find(".//article") is not None:
            continue
        text = len(box.text_content().strip())
        if text and _link_chars(box) >= text / 2 and box.getparent() is not None:
            box.drop_tree()


# The label of a link to another article set in the body's flow ("Les også: <a>…</a>", "READ MORE: …")
_READ_ALSO_RE = re.compile(
    r"\s*(?:read (?:also|more|next)|also read|see also|related(?: article| story)?|more on this(?: story)?"
    r"|lesen sie (?:auch|mehr)|mehr zum thema|auch interessant|siehe auch"
    r"|les også|les mer|læs også|læs mere|se også|läs (?:också|även|mer)|lees (?:ook|meer)|zie ook|lue myös"
    r"|(?:à )?lire aussi|lire également|voir aussi|leggi anche|le(?:e|a) también|le puede interesar|te puede interesar"
    r"|leia (?:também|mais)|veja também|czytaj (?:też|także|więcej)|zobacz (?:też|także)|čtěte (?:také|též))"
    r"\s*[:|–—>»-]\s*",
    re.IGNORECASE,
)


def _drop_read_also_links(tree) -> None:
    """Remove paragraphs that only point to another article ("Les også: <a>Headline</a>").

    Publishers set such links between the article's paragraphs; trafilatura keeps them as
    paragraphs of their own. A paragraph is dropped when it starts with a read-also label
    and the rest of its text (at least 10 characters) is at least 80% link text.
    """
    for paragraph in _LINKED_PARAGRAPHS(tree):
        text = paragraph.text_content()
        label = _READ_ALSO_RE.match(text)
        if not label:
            continue
        rest = len(text[label.end() :].strip())
        if rest >= 10 and _link_chars(paragraph) >= 0.8 * rest and paragraph.getparent() is not None:
            paragraph.drop_tree()


def _defuse_json_ld(tree) -> dict[str, tuple[str, object]]:
    """Keep trafilatura's regex fallback off large JSON-LD scripts (see JSON_LD_FALLBACK_MAX_CHARS).

    A large script it would not parse is given to it re-serialised when that form survives its
    normalisation, else emptied: its metadata is then what the page's other markup and our own
    JSON-LD reading (`json_ld_objects`, on the page source) find. Returns the readings of the
    scripts it read (by text), which `PageMetadata` reuses instead of reading them again.
    """
    parsed: dict[str, tuple[str, object]] = {}
    for script in JSON_LD_SCRIPTS(tree):
        text = script.text
        if not text or len(text) <= JSON_LD_FALLBACK_MAX_CHARS or _trafilatura_parses(text, parsed):
            continue
        try:
            compact = json.dumps(json.loads(_LD_WRAPPER_RE.sub("", text).strip(), strict=False), ensure_ascii=False, separators=(",", ":"))
        except (ValueError, RecursionError):
            compact = ""
        script.text = compact if compact and _trafilatura_parses(compact, parsed) else ""
    return parsed


def clean_html_article(
    html: str, url: str | None = None, min_chars: int = 40, language_min_chars: int = 200, fast: bool = False
) -> CleanedPage:
    """An HTML page: trafilatura's main text and metadata, normalised.

    `fast`: trafilatura's fast mode (no comparison with its fallback extractors) and no second
    date search; measured cheaper and somewhat less accurate (benchmarks/RESULTS.md).
    """
    html = _DOCTYPE_SUBSET_RE.sub("", html[:200_000], count=1) + html[200_000:]
    try:
        # trafilatura's own parse, done here so the markup extractors reuse the tree:
        # bare_extraction works on a copy of it (cheaper than a second parse)
        tree = load_html(html)
    except (ValueError, TypeError):
        tree = None  # what bare_extraction does with markup it cannot load: no article
    json_ld_read: dict[str, tuple[str, object]] = {}
    if tree is not None:
        json_ld_read = _defuse_json_ld(tree)
        _drop_recirculation_boxes(tree)
        _drop_read_also_links(tree)
    try:
        try:
            metadata = None if tree is None else PageMetadata(tree, url, json_ld_read)
        except (ValueError, TypeError):
            metadata = None  # what bare_extraction made of such a page: no article
        document = None if metadata is None else _extract(tree, url or metadata.document.url, fast)
    except (ValueError, TypeError, AttributeError, RecursionError) as exc:
        # trafilatura's parser gives up on some broken markup with these; it is a bad page.
        raise Rejected("clean", "unparsable_html", f"{type(exc).__name__}: {exc}") from None
    body = document.text if document is not None and (document.text or "").strip() else None
    if body is None and metadata is not None:
        body = _client_rendered_article(html, url, fast)
    if body is None:
        _reject_if_blocked(html, "")
        raise Rejected("clean", "no_article", "no main text found in the page")
    document = metadata.document
    title = (document.title or "").strip() or None
    text = _drop_leading_title(_tidy(body), title)
    site_name = document.sitename or document.hostname or None
    ld_objects = json_ld_objects(html)
    ld_article = json_ld_article(ld_objects)
    headline = ld_article.get("headline") if ld_article else None
    headline = headline if isinstance(headline, str) else None
    markup = _headline_markup(html)
    title = normalise_title(title, html, site_name, document.url or url, headline, markup)
    text = _drop_leading_title(text, title)
    text = _drop_leading_headline(text, _page_headlines(markup, headline, " "))
    text = _drop_trailing_furniture(_drop_boilerplate_lines(_keep_declared_body(text, ld_article)))
    text = _with_lead(text, document.description, html)
    _reject_if_blocked(html, text)
    if len(text) < min_chars:
        raise Rejected("clean", "too_short", f"{len(text)} characters of main text")
    declared = _LANG_RE.search(html[:4096])
    organisations: list[str] = []
    ld_names = json_ld_authors(ld_article, ld_objects, organisations)

    def byline() -> list[str]:  # searched only when needed (see PageMetadata.author)
        return [name.strip() for name in (metadata.author() or "").split(";") if name.strip()]

    # the article's declared authors first, unless they are only organisations (the
    # publisher as "author") while the page's byline names people
    if ld_names and len(organisations) == len(ld_names) and _people(byline(), site_name, document.url or url):
        ld_names = []
    authors = normalise_authors(_split_authors(ld_names) or byline(), site_name, document.url or url)
    # a post's time from its id (Twitter/X) or a wiki page's last revision first; then
    # the article's own datePublished, then a publication time declared in the markup,
    # then the date printed under the headline, then a publication date named in script data;
    # else htmldate on the page itself, which finds the date more often than through
    # trafilatura's pre-parsed tree (benchmarks/RESULTS.md)
    published_at = (
        status_url_date(document.url or url)
        or wiki_revision_date(ld_article, html, document.url or url)
        or json_ld_published(ld_article, document.url or url, html)
        or declared_published(html, document.url or url)
        or headline_date(html, title)
        or script_date(html)
        or parse_published(
            (None if fast else find_date(html, url=document.url or url, original_date=True, extensive_search=True))
            or metadata.date()
        )
    )
    return CleanedPage(
        title=title,
        text=text,
        authors=authors,
        published_at=published_at,
        language=detect_language(text, declared.group(1) if declared else None, language_min_chars),
        site_name=site_name,
        description=document.description or None,
        url=document.url or url,
        image_url=document.image or None,
        categories=_names(document.categories),
        tags=_names(document.tags),
        html=html,
        markup=tree,
    )


def clean_page(
    data: bytes,
    kind: str,
    url: str | None = None,
    charset: str | None = None,
    min_chars: int = 40,
    language_min_chars: int = 200,
    fast: bool = False,
) -> CleanedPage:
    """Decode and clean one input of the given kind ("html" or "text"), or raise Rejected.

    `fast` selects the fast cleaning profile for HTML (see `clean_html_article`).
    """
    text = decode_document(data, charset)
    if kind == "text":
        return clean_text_article(text, min_chars, language_min_chars)
    return clean_html_article(text, url, min_chars, language_min_chars, fast)
