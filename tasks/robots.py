"""robots.txt rules per origin, parsed with protego, following RFC 9309 for failures.

RFC 9309: a robots.txt that is missing (4xx) allows everything; one that cannot be fetched
(5xx, network failure) means "assume complete disallow" for now, so the pages of such a
host are deferred to a later run rather than fetched or rejected.
"""

from __future__ import annotations

from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

MAX_ROBOTS_BYTES = 500 * 1024  # RFC 9309 asks parsers to read at least 500 KiB


@dataclass(frozen=True)
class RobotsRules:
    """What one origin's robots.txt says to this crawler."""

    status: str  # "parsed", "missing" (allow all) or "unavailable" (defer this origin)
    parser: Protego | None = None

    def allows(self, url: str, user_agent: str) -> bool:
        """True when `url` may be fetched (always for a missing robots.txt)."""
        if self.status == "missing":
            return True
        if self.status == "unavailable" or self.parser is None:
            return False
        return self.parser.can_fetch(url, user_agent)

    def crawl_delay(self, user_agent: str) -> float | None:
        """The Crawl-delay in seconds for this user agent, if the file sets one."""
        if self.parser is None:
            return None
        delay = self.parser.crawl_delay(user_agent)
        return float(delay) if delay is not None else None


def robots_url(url: str) -> str:
    """The robots.txt URL of the origin (scheme, host, port) of `url`."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rsplit('@', 1)[-1]}/robots.txt"


def origin_of(url: str) -> str:
    """The origin key of `url`: scheme://host:port, lowercased."""
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return f"{parts.scheme.lower()}://{(parts.hostname or '').lower()}:{port}"


def parse_robots(status: int | None, body: bytes) -> RobotsRules:
    """Rules from a robots.txt response: HTTP status (None: no response at all) and body."""
    if status is None or status >= 500 or status == 429:
        return RobotsRules("unavailable")
    if status >= 400:
        return RobotsRules("missing")
    if not 200 <= status < 300:
        # Redirects are followed by the fetcher; anything else is treated as "no file".
        return RobotsRules("missing")
    text = body[:MAX_ROBOTS_BYTES].decode("utf-8", errors="replace")
    return RobotsRules("parsed", Protego.parse(text))
