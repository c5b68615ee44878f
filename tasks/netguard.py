"""Which URLs and addresses the fetcher may reach (SSRF defence), and a connection backend
that enforces it at connect time, after DNS resolution, for every connection (redirects too).

Checking the resolved address at the moment of connecting (and connecting to exactly that
address) closes the DNS-rebinding gap that a check before the request would leave open.
A per-thread deadline on every socket read bounds the total time of one fetch, so a server
that trickles bytes (slow loris) cannot hold a worker longer than `fetch_timeout_seconds`.
"""

from __future__ import annotations

import ipaddress
import re
import unicodedata
import socket
import threading
import time
from contextlib import contextmanager
from urllib.parse import urlsplit

import httpcore
import httpx
import idna

ALLOWED_SCHEMES = ("http", "https")
MAX_URL_CHARS = 2048
# Cloud metadata services live on link-local (169.254.169.254) and these extra addresses.
# Scripts with letters that look alike (Latin a, Cyrillic а, Greek α): one host label mixing
# them is a look-alike. Other mixes are normal (Japanese labels mix kanji, kana and Latin).
_CONFUSABLE_SCRIPTS = {"LATIN", "CYRILLIC", "GREEK"}
_METADATA_ADDRESSES = {ipaddress.ip_address("fd00:ec2::254"), ipaddress.ip_address("100.100.100.200")}


_USERINFO_RE = re.compile(r"^([A-Za-z][A-Za-z0-9+.-]*:/*)[^/?#]*@")


def redact_url(url: str) -> str:
    """`url` with any user name and password replaced by `***`, for logs and stored rows:
    a URL list may carry credentials, and the warehouse is read by everyone."""
    return _USERINFO_RE.sub(r"\1***@", url, count=1)


class BlockedAddress(Exception):
    """A URL or address the fetcher refuses to contact; the message says why."""

    def __init__(self, reason: str, detail: str) -> None:
        super().__init__(detail)
        self.reason = reason
        self.detail = detail


def check_url(url: str) -> str:
    """Return `url` if its form is acceptable (http/https, a host, no credentials, not huge).

    Raises BlockedAddress with reason `bad_url` or `unsupported_scheme`.
    """
    if len(url) > MAX_URL_CHARS:
        raise BlockedAddress("bad_url", f"URL longer than {MAX_URL_CHARS} characters")
    try:
        parts = urlsplit(url)
        parts.port  # noqa: B018 - raises ValueError on a malformed port
    except ValueError as exc:
        raise BlockedAddress("bad_url", f"malformed URL: {exc}") from None
    if parts.scheme.lower() not in ALLOWED_SCHEMES:
        raise BlockedAddress("unsupported_scheme", f"scheme {parts.scheme or '(none)'!r} is not http or https")
    if not parts.hostname:
        raise BlockedAddress("bad_url", "URL has no host")
    if parts.username is not None or parts.password is not None:
        raise BlockedAddress("bad_url", "URL carries credentials")
    for label in parts.hostname.split("."):
        scripts = _scripts(label) & _CONFUSABLE_SCRIPTS
        if len(scripts) > 1:
            raise BlockedAddress("bad_url", f"host name mixes {' and '.join(sorted(scripts))} letters (a homoglyph look-alike)")
    return url


def _scripts(label: str) -> set[str]:
    """The scripts of the letters in one host label (punycode decoded), e.g. {'LATIN', 'CYRILLIC'}."""
    if label.startswith("xn--"):
        try:
            label = idna.decode(label)
        except idna.IDNAError as exc:
            raise BlockedAddress("bad_url", f"invalid international host name: {exc}") from None
    return {unicodedata.name(char, "UNKNOWN").split()[0] for char in label if char.isalpha()}


def is_public_address(address: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
    """True for globally routable unicast addresses; False for private, loopback, link-local,
    multicast, reserved, unspecified and cloud-metadata addresses (IPv4-mapped IPv6 unwrapped)."""
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        address = address.ipv4_mapped
    if address in _METADATA_ADDRESSES:
        return False
    return address.is_global and not address.is_multicast


def resolve_allowed(host: str, port: int, allow_private: bool) -> str:
    """Resolve `host` and return the first address the fetcher may connect to.

    Every resolved address must be public unless `allow_private`: a name that resolves to
    both a public and a private address is refused, since the resolver's order can change.
    """
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise httpcore.ConnectError(f"cannot resolve {host}: {exc}") from None
    addresses = [ipaddress.ip_address(info[4][0].split("%")[0]) for info in infos]
    if not addresses:
        raise httpcore.ConnectError(f"{host} has no address")
    if not allow_private:
        blocked = [str(a) for a in addresses if not is_public_address(a)]
        if blocked:
            raise BlockedAddress(
                "private_address",
                f"{host} resolves to non-public address {blocked[0]} (set allow_private_networks to allow)",
            )
    return str(addresses[0])


_deadline = threading.local()


@contextmanager
def fetch_deadline(seconds: float):
    """Bound the total socket time of what this thread fetches inside the block.

    Nested blocks (robots.txt for a redirect target) keep the earlier of both deadlines.
    """
    outer = getattr(_deadline, "at", None)
    inner = time.monotonic() + seconds
    _deadline.at = inner if outer is None else min(outer, inner)
    try:
        yield
    finally:
        _deadline.at = outer


def _remaining(timeout: float | None) -> float | None:
    at = getattr(_deadline, "at", None)
    if at is None:
        return timeout
    left = at - time.monotonic()
    if left <= 0:
        raise httpcore.ReadTimeout("total time for this fetch exceeded")
    return left if timeout is None else min(timeout, left)


class _DeadlineStream(httpcore.NetworkStream):
    """A socket stream whose reads and writes never outlast the thread's fetch deadline."""

    def __init__(self, stream: httpcore.NetworkStream) -> None:
        self._stream = stream

    def read(self, max_bytes: int, timeout: float | None = None) -> bytes:
        return self._stream.read(max_bytes, _remaining(timeout))

    def write(self, buffer: bytes, timeout: float | None = None) -> None:
        self._stream.write(buffer, _remaining(timeout))

    def close(self) -> None:
        self._stream.close()

    def start_tls(self, ssl_context, server_hostname=None, timeout=None) -> httpcore.NetworkStream:
        return _DeadlineStream(self._stream.start_tls(ssl_context, server_hostname, _remaining(timeout)))

    def get_extra_info(self, info: str):
        return self._stream.get_extra_info(info)


class GuardedBackend(httpcore.SyncBackend):
    """Connects only to allowed addresses, checked after DNS resolution, with deadline streams."""

    def __init__(self, allow_private: bool) -> None:
        self.allow_private = allow_private

    def connect_tcp(self, host, port, timeout=None, local_address=None, socket_options=None):
        address = resolve_allowed(host, port, self.allow_private)
        stream = super().connect_tcp(address, port, _remaining(timeout), local_address, socket_options)
        return _DeadlineStream(stream)


class GuardedTransport(httpx.HTTPTransport):
    """httpx's transport with the guarded backend; never uses proxies from the environment."""

    def __init__(self, allow_private: bool, max_connections: int, verify: bool = True) -> None:
        super().__init__(verify=verify, trust_env=False)
        # httpx offers no public hook for the network backend; the pool is rebuilt with the
        # same defaults httpx uses plus ours (pinned httpcore 1.x API).
        self._pool = httpcore.ConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=max_connections,
            max_keepalive_connections=max_connections,
            keepalive_expiry=5.0,
            network_backend=GuardedBackend(allow_private),
        )
