"""Customer identity: normalised company names, registrable domains and name similarity.

Two registrations are for the same customer when they share a registrable domain (taken from the
website, else from a contact's email, never from a free-mail provider) or when their normalised
names are similar. Similarity is PostgreSQL pg_trgm's trigram similarity; `trigram_similarity`
below computes exactly the same number in Python, so the portable path (SQLite) gives the same
answers as the indexed Postgres query, not merely close ones.
"""

from __future__ import annotations

import functools
import re
import unicodedata

from prm.domains import company_domain

# Names at or above this trigram similarity are the same customer. pg_trgm's default (0.3) is too
# loose for company names: "acme analytics" vs "acme" scores 0.36 and must not be merged blindly.
NAME_SIMILARITY_THRESHOLD = 0.5

# Legal-form words stripped from the end of a name ("Acme Holdings Pty Ltd" -> "acme holdings").
LEGAL_SUFFIXES = frozenset({
    "inc", "incorporated", "llc", "ltd", "limited", "gmbh", "ag", "sa", "sas", "bv", "nv", "corp",
    "corporation", "co", "plc", "pty", "company", "llp", "lp", "srl", "sarl", "spa", "oy", "ab",
    "kg", "kgaa", "se", "ug", "sl", "sro", "as", "aps", "kk", "bhd", "sdn", "pte", "pvt",
})
_LEADING_ARTICLES = frozenset({"the"})
# Dots and apostrophes join ("S.A." -> "sa", "McDonald's" -> "mcdonalds"); other punctuation splits.
_JOINERS = re.compile(r"[.'’`´]")
_SPLITTERS = re.compile(r"[^\w\s]|_")


def normalise_company_name(name: str) -> str:
    """'The Acme, Inc.' -> 'acme'; 'Société Générale S.A.' -> 'societe generale'.

    Case, accents, punctuation, a leading "The" and trailing legal forms are ignored. A name made
    only of such words keeps them (so "The Company Ltd" stays recognisable rather than empty).
    """
    text = unicodedata.normalize("NFKD", name or "")
    text = "".join(ch for ch in text if not unicodedata.combining(ch)).casefold()
    text = text.replace("&", " and ")
    text = _JOINERS.sub("", text)
    text = _SPLITTERS.sub(" ", text)
    words = text.split()
    if not words:
        return ""
    original = list(words)
    if len(words) > 1 and words[0] in _LEADING_ARTICLES:
        words = words[1:]
    while len(words) > 1 and (words[-1] in LEGAL_SUFFIXES or words[-1] == "and"):
        words.pop()
    return " ".join(words) or " ".join(original)


def customer_domain(*, website: str = "", email: str = "") -> str:
    """The customer's registrable domain (shop.acme.co.uk -> acme.co.uk), '' for free mail."""
    return company_domain(website=website, email=email)


def customer_key(*, name_normalised: str, domain: str) -> str:
    """The exact identity used by the database constraint on protected registrations.

    Fuzzy matches (similar names) are caught by the locked re-check in the approval service;
    this key lets the database itself refuse two protections for the very same customer.
    """
    return f"d:{domain}" if domain else f"n:{name_normalised}"[:255]


@functools.lru_cache(maxsize=65536)
def trigrams(text: str) -> frozenset[str]:
    """pg_trgm's trigram set: each alphanumeric word, lower-cased, padded '  word '."""
    result: set[str] = set()
    for word in re.findall(r"[^\W_]+", text.lower()):
        padded = f"  {word} "
        result.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return frozenset(result)


def trigram_similarity(a: str, b: str) -> float:
    """Same value as PostgreSQL's `similarity(a, b)`: shared trigrams / all distinct trigrams."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    shared = len(ta & tb)
    return shared / (len(ta) + len(tb) - shared)
