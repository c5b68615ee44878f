"""SSRF rules: which URLs and addresses the fetcher refuses."""

from __future__ import annotations

import ipaddress

import pytest

from tasks.netguard import BlockedAddress, check_url, is_public_address, resolve_allowed


@pytest.mark.parametrize(
    "address",
    ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "0.0.0.0", "::1", "fe80::1",
     "fc00::1", "::ffff:127.0.0.1", "100.64.0.1", "224.0.0.1", "fd00:ec2::254", "100.100.100.200"],
)
def test_non_public_addresses_are_refused(address):
    assert not is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:2800:21f:cb07:6820:80da:af6b:8b2c", "1.1.1.1"])
def test_public_addresses_are_allowed(address):
    assert is_public_address(ipaddress.ip_address(address))


@pytest.mark.parametrize(
    "url,reason",
    [
        ("file:///etc/passwd", "unsupported_scheme"),
        ("javascript:alert(1)", "unsupported_scheme"),
        ("data:text/html,hi", "unsupported_scheme"),
        ("ftp://example.org/x", "unsupported_scheme"),
        ("http://user:secret@example.org/", "bad_url"),
        ("http:///path-only", "bad_url"),
        ("http://example.org:99999/", "bad_url"),
        ("https://example.org/" + "a" * 3000, "bad_url"),
    ],
)
def test_bad_urls_are_refused(url, reason):
    with pytest.raises(BlockedAddress) as caught:
        check_url(url)
    assert caught.value.reason == reason


def test_loopback_names_are_refused_after_resolution_unless_allowed():
    with pytest.raises(BlockedAddress) as caught:
        resolve_allowed("localhost", 80, allow_private=False)
    assert caught.value.reason == "private_address"
    assert resolve_allowed("localhost", 80, allow_private=True) in ("127.0.0.1", "::1")
    assert resolve_allowed("127.0.0.7", 80, allow_private=True) == "127.0.0.7"
