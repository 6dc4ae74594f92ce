"""Company names and domains are normalised before anything is compared."""

import pytest

from deals.normalise import customer_domain, customer_key, normalise_company_name, trigram_similarity


@pytest.mark.parametrize("raw, expected", [
    ("Acme, Inc.", "acme"),
    ("ACME Corporation", "acme"),
    ("Acme Corp", "acme"),
    ("The Acme Company", "acme"),
    ("acme   ltd", "acme"),
    ("Acme Holdings Pty Ltd", "acme holdings"),
    ("Société Générale S.A.", "societe generale"),
    ("Müller GmbH & Co. KG", "mueller"),  # umlauts transliterated (ü → ue)
    ("Umbrella Corporaton", "umbrella"),  # a misspelt legal form is still a legal form
    ("Ålborg Portland A/S", "aalborg portland"),
    ("Søstrene Grene", "sostrene grene"),
    ("Straße Bau GmbH", "strasse bau"),
    ("Amazon.com, Inc.", "amazon"),
    ("ООО Ромашка", "ромашка"),
    ("株式会社日立製作所", "日立製作所"),
    ("Johnson & Johnson", "johnson and johnson"),
    ("McDonald's Corporation", "mcdonalds"),
    ("Acme Analytics", "acme analytics"),
    ("The Company Ltd", "company"),  # only legal words: keep something recognisable
    ("Inc.", "inc"),
    ("", ""),
])
def test_company_names_ignore_case_accents_punctuation_articles_and_legal_forms(raw, expected):
    assert normalise_company_name(raw) == expected


@pytest.mark.parametrize("website, email, expected", [
    ("https://shop.acme.co.uk/path", "", "acme.co.uk"),
    ("www.acme.com", "", "acme.com"),
    ("", "sales@acme.com", "acme.com"),
    ("", "sales@eu.acme.com", "acme.com"),
    ("", "someone@gmail.com", ""),
    ("gmail.com", "someone@outlook.com", ""),
    ("https://acme.com", "someone@gmail.com", "acme.com"),
    ("https://www.northwind.example", "", "northwind.example"),  # reserved for demos and tests (RFC 2606)
    ("https://localhost", "", ""),
])
def test_the_customer_domain_is_the_registrable_domain_and_never_a_free_mail_provider(website, email, expected):
    assert customer_domain(website=website, email=email) == expected


def test_the_customer_key_prefers_the_domain():
    assert customer_key(name_normalised="acme", domain="acme.com") == "d:acme.com"
    assert customer_key(name_normalised="acme", domain="") == "n:acme"


def test_trigram_similarity_matches_pg_trgm_on_known_values():
    # Reference values from PostgreSQL: SELECT similarity('acme', 'acme analytics') → 0.357143 (5/14)
    assert trigram_similarity("acme", "acme") == 1.0
    assert trigram_similarity("acme", "acme analytics") == pytest.approx(5 / 14)
    assert trigram_similarity("initech", "initec") == pytest.approx(6 / 9)
    assert trigram_similarity("", "acme") == 0.0
