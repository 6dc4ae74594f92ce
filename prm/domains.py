"""Registrable domains from websites and email addresses.

Uses tldextract with its bundled Public Suffix List snapshot only (never fetched at run time),
so `shop.acme.co.uk` → `acme.co.uk`. Free-mail domains say nothing about a company and are ignored.
"""

from __future__ import annotations

import functools
from urllib.parse import urlsplit

import tldextract

FREE_MAIL_DOMAINS = frozenset({
    "gmail.com", "googlemail.com", "outlook.com", "hotmail.com", "hotmail.co.uk", "live.com", "msn.com",
    "yahoo.com", "yahoo.co.uk", "yahoo.fr", "yahoo.de", "ymail.com", "aol.com", "icloud.com", "me.com",
    "mac.com", "proton.me", "protonmail.com", "gmx.com", "gmx.de", "gmx.net", "web.de", "mail.com",
    "yandex.com", "yandex.ru", "zoho.com", "qq.com", "163.com", "126.com", "orange.fr", "free.fr",
    "t-online.de", "libero.it", "hey.com", "fastmail.com", "tutanota.com",
})


# Top-level names reserved for documentation and testing (RFC 2606, RFC 6761): the demo's companies
# live there, and their websites must pass the same checks as real ones.
RESERVED_TLDS = frozenset({"example", "test", "invalid"})


@functools.lru_cache(maxsize=1)
def _extractor() -> tldextract.TLDExtract:
    # suffix_list_urls=() → use the snapshot shipped inside the package; no network, no cache dir.
    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None)


def registrable_domain(value: str) -> str:
    """`https://Shop.Acme.co.uk/path` → `acme.co.uk`; '' when there is no registrable domain."""
    value = (value or "").strip().lower()
    if not value:
        return ""
    if "@" in value and "//" not in value:
        value = value.rsplit("@", 1)[1]
    if "//" not in value:
        value = "//" + value
    host = urlsplit(value).hostname or ""
    host = host.strip(".")
    if not host:
        return ""
    labels = host.split(".")
    if len(labels) >= 2 and labels[-1] in RESERVED_TLDS:
        return ".".join(labels[-2:])  # northwind.example: a company of the demo or the tests
    result = _extractor()(host)
    if not result.domain or not result.suffix:
        return ""
    return f"{result.domain}.{result.suffix}"


def company_domain(*, website: str = "", email: str = "") -> str:
    """The customer's registrable domain from its website, else from a contact's email,
    ignoring free-mail providers (a gmail.com contact tells nothing about the company)."""
    for candidate in (website, email):
        domain = registrable_domain(candidate)
        if domain and domain not in FREE_MAIL_DOMAINS:
            return domain
    return ""


def is_free_mail(domain: str) -> bool:
    return domain.lower() in FREE_MAIL_DOMAINS
