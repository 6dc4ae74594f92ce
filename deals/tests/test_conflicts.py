"""The conflict table: who counts as the same customer. Runs unchanged on SQLite (candidate keys in
Python) and on PostgreSQL (GIN index over the same keys), so both backends must give these answers."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from deals.conflicts import Probe, find_matches, matches_for
from deals.models import DealRegistration
from deals.normalise import normalise_company_name, trigram_similarity
from prm.tenancy.scoping import tenant_scope
from tests.factories import DealFactory, HouseAccountFactory

# (case id, existing registrations [(name, website, email, status)], probe (name, website, email),
#  expected matches [(name, "domain" | "name" | "both")])
CASES = [
    ("legal suffix and case", [("Acme, Inc.", "https://acme.com", "", "submitted")],
     ("ACME Corporation", "", ""), [("Acme, Inc.", "name")]),
    # "Holdings Group" only describes: the distinctive "acme" makes the names match too.
    ("contact email domain and descriptive words", [("Acme, Inc.", "https://acme.com", "", "submitted")],
     ("Acme Holdings Group", "", "sales@acme.com"), [("Acme, Inc.", "both")]),
    ("contact email domain", [("Acme, Inc.", "https://acme.com", "", "submitted")],
     ("Roadrunner Supplies", "", "sales@acme.com"), [("Acme, Inc.", "domain")]),
    ("same name and domain", [("Acme, Inc.", "https://www.acme.com", "", "approved")],
     ("ACME Corporation", "", "sales@acme.com"), [("Acme, Inc.", "both")]),
    ("one registration matched by name, another by domain",
     [("ACME Corporation", "https://acme-corp.io", "", "submitted"), ("Unrelated Name", "https://acme.com", "", "submitted")],
     ("Acme, Inc.", "", "sales@acme.com"), [("ACME Corporation", "name"), ("Unrelated Name", "domain")]),
    # Where many customers are called Acme Something, "acme" no longer tells them apart.
    ("Acme Analytics is not Acme Corp where acme is a common word",
     [("Acme Corp", "https://acmecorp.com", "", "submitted")]
     + [(f"Acme {w}", f"https://acme-{w.lower()}.com", "", "submitted")
        for w in ("Robotics", "Anvils", "Rockets", "Explosives", "Magnets", "Traps")],
     ("Acme Analytics", "https://acmeanalytics.com", ""), []),
    ("gmail contact never matches by domain", [("Foo Widgets", "https://foowidgets.com", "bob@gmail.com", "submitted")],
     ("Bar Gadgets", "", "alice@gmail.com"), []),
    ("subdomain of the same company", [("Umbrella Corp", "https://umbrella.co.uk", "", "approved")],
     ("Umbrella Pharmaceuticals", "https://shop.umbrella.co.uk", ""), [("Umbrella Corp", "both")]),
    ("subdomain, and a distinctive word of its own", [("Umbrella Corp", "https://umbrella.co.uk", "", "approved")],
     ("Umbrella Raccoon Labs", "https://shop.umbrella.co.uk", ""), [("Umbrella Corp", "domain")]),
    (".co.uk is a suffix, not a company", [("Smith & Sons", "https://smithandsons.co.uk", "", "submitted")],
     ("Jones Retail", "", "j@jonesretail.co.uk"), []),
    ("accents and legal form", [("Société Générale S.A.", "https://societegenerale.fr", "", "submitted")],
     ("Societe Generale", "", ""), [("Société Générale S.A.", "name")]),
    ("leading article and abbreviation", [("The Boring Company", "https://boringcompany.com", "", "submitted")],
     ("Boring Co.", "", ""), [("The Boring Company", "name")]),
    ("typo still similar", [("Initech", "https://initech.com", "", "submitted")],
     ("Initec", "", ""), [("Initech", "name")]),
    ("rejected, lost and expired registrations do not block",
     [("Globex", "https://globex.com", "", "rejected"), ("Globex", "https://globex.com", "", "expired"),
      ("Globex", "https://globex.com", "", "lost")],
     ("Globex Corporation", "https://globex.com", ""), []),
    ("protection that ended yesterday does not block", [("Hooli", "https://hooli.com", "", "approved-lapsed")],
     ("Hooli", "https://hooli.com", ""), []),
]


def _existing(tenant, name, website, email, status):
    extra = {}
    if status == "approved-lapsed":
        status = "approved"
        extra["protected_until"] = timezone.localdate() - timedelta(days=1)
    return DealFactory(tenant=tenant, customer_name=name, website=website,
                       contact_email=email or "buyer@example.org", status=status, **extra)


@pytest.mark.parametrize("case_id, existing, probe, expected", CASES, ids=[c[0] for c in CASES])
def test_conflict_table(tenant, case_id, existing, probe, expected):
    for name, website, email, status in existing:
        _existing(tenant, name, website, email, status)
    name, website, email = probe
    with tenant_scope(tenant):
        matches = matches_for(tenant, Probe.for_input("p", name=name, website=website, email=email))
    found = sorted((m.name, "both" if m.domain_match and m.name_match else "domain" if m.domain_match else "name")
                   for m in matches)
    assert found == sorted(expected), connection.vendor


def test_house_accounts_are_conflicts_too(tenant):
    HouseAccountFactory(tenant=tenant, name="Massive Dynamic", domain="massivedynamic.com")
    with tenant_scope(tenant):
        by_name = matches_for(tenant, Probe.for_input("a", name="Massive Dynamic Inc"))
        by_domain = matches_for(tenant, Probe.for_input("b", name="MD Holdings", email="cfo@massivedynamic.com"))
        neither = matches_for(tenant, Probe.for_input("c", name="Massive Analytics", website="massive-analytics.io"))
    assert [(m.source, m.domain_match) for m in by_name] == [("house_account", False)]
    assert [(m.source, m.domain_match) for m in by_domain] == [("house_account", True)]
    assert neither == []


def test_other_tenants_registrations_are_never_candidates(tenant, other_tenant):
    DealFactory(tenant=other_tenant, customer_name="Acme, Inc.", website="https://acme.com")
    HouseAccountFactory(tenant=other_tenant, name="Acme", domain="acme.com")
    with tenant_scope(tenant):
        assert matches_for(tenant, Probe.for_input("p", name="Acme", website="acme.com")) == []


def test_many_probes_are_answered_in_one_pass_and_a_deal_never_matches_itself(tenant):
    a = DealFactory(tenant=tenant, customer_name="Initech, Inc.", website="https://initech.com")
    b = DealFactory(tenant=tenant, customer_name="Initech Corporation", website="https://initech-corp.com")
    c = DealFactory(tenant=tenant, customer_name="Hooli", website="https://hooli.com")
    with tenant_scope(tenant):
        result = find_matches(tenant, [Probe.for_deal(d) for d in (a, b, c)])
    assert [m.id for m in result[a.pk]] == [b.pk]
    assert [m.id for m in result[b.pk]] == [a.pk]
    assert result[c.pk] == []


def test_evidence_orders_protected_registrations_first_then_first_come(tenant):
    now = timezone.now()
    late = DealFactory(tenant=tenant, customer_name="Initech", website="https://initech.com", submitted_at=now)
    early = DealFactory(tenant=tenant, customer_name="Initech", website="https://initech.com",
                        submitted_at=now - timedelta(days=2))
    protected = DealFactory(tenant=tenant, customer_name="Initech", website="https://initech.com",
                            status="approved",
                            submitted_at=now - timedelta(days=1))
    with tenant_scope(tenant):
        matches = matches_for(tenant, Probe.for_input("p", name="Initech", website="initech.com"))
    assert [m.id for m in matches] == [protected.pk, early.pk, late.pk]
    assert matches[0].is_protected and matches[0].score == 1.0


@pytest.mark.postgres
def test_python_similarity_equals_pg_trgm_on_the_test_set(db):
    if connection.vendor != "postgresql":
        pytest.skip("compares against PostgreSQL's pg_trgm similarity(); runs on the Postgres CI job")
    names = sorted({normalise_company_name(n) for case in CASES for n in
                    [case[2][0]] + [e[0] for e in case[1]]} | {"acme analytics", "northwind traders", "southwind traders"})
    pairs = [(a, b) for a in names for b in names]
    with connection.cursor() as cursor:
        cursor.execute("SELECT a, b, similarity(a, b) FROM unnest(%s::text[], %s::text[]) AS t(a, b)",
                       [[a for a, _ in pairs], [b for _, b in pairs]])
        rows = cursor.fetchall()
    for a, b, pg in rows:
        assert trigram_similarity(a, b) == pytest.approx(pg, abs=1e-6), (a, b)
        assert (trigram_similarity(a, b) >= 0.5) == (pg >= 0.5), (a, b)


@pytest.mark.postgres
def test_postgres_has_a_tenant_leading_partial_trigram_index_on_active_registrations(tenant):
    if connection.vendor != "postgresql":
        pytest.skip("the GIN trigram index exists on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE indexdef LIKE '%%gin_trgm_ops%%' "
                       "AND tablename = %s", [DealRegistration._meta.db_table])
        rows = cursor.fetchall()
    assert [name for name, _ in rows] == ["deals_deal_active_name_trgm"]
    indexdef = rows[0][1]
    assert "USING gin" in indexdef and indexdef.index("tenant_id") < indexdef.index("customer_name_normalised")
    assert "WHERE" in indexdef and "submitted" in indexdef and "approved" in indexdef and "won" not in indexdef
