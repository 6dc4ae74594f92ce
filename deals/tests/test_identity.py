"""Customer identity, sharper: the weighted-word rule, measured on labelled pairs, and the same answers
from the indexed PostgreSQL path and the portable Python path."""

from __future__ import annotations

import random
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone

from deals import conflicts
from deals.conflicts import Probe, find_matches, find_matches_portable, matches_for, name_statistics
from deals.models import DealRegistration, HouseAccount
from deals.normalise import (
    NO_STATS,
    NameIndex,
    NameStats,
    compare_names,
    identity_keys,
    name_search,
    normalise_company_name,
)
from deals.tests.name_pairs import PRECISION_FLOOR, RECALL_FLOOR, Score, load_pairs, registered_names, rule_predictions
from prm.tenancy.scoping import tenant_scope
from tests.factories import DealFactory, HouseAccountFactory

PAIRS = load_pairs()


def _n(name: str) -> str:
    return normalise_company_name(name)


@pytest.fixture
def evaluation_tenant(tenant, partner):
    """Every name_b of the table registered once (its own domain, so only names can match)."""
    deals = {}
    for i, name in enumerate(registered_names(PAIRS)):
        deals[name] = DealFactory(tenant=tenant, partner=partner, customer_name=name,
                                  website=f"https://pair-{i}.example").pk
    return deals


def _answers(result: dict) -> dict:
    return {key: [(m.source, m.id, m.domain_match, m.name_match, m.score, m.reasons) for m in found]
            for key, found in result.items()}


# --- The evaluation table ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_conflict_check_finds_the_labelled_pairs_above_the_recall_and_precision_floors(tenant, evaluation_tenant):
    probes = [Probe.for_input(i, name=p.name_a) for i, p in enumerate(PAIRS)]
    with tenant_scope(tenant):
        result = find_matches(tenant, probes)
    predicted = [evaluation_tenant[p.name_b] in {m.id for m in result[i]} for i, p in enumerate(PAIRS)]
    score = Score.of(PAIRS, predicted)
    print(f"\nCustomer-name pairs on {connection.vendor}: {score}")
    # The database path (candidate filter + rule) says exactly what the rule says in memory.
    assert predicted == rule_predictions(PAIRS), connection.vendor
    assert len(PAIRS) >= 150
    assert score.recall >= RECALL_FLOOR and score.precision >= PRECISION_FLOOR, str(score)


@pytest.mark.django_db
def test_the_indexed_and_the_portable_path_give_identical_answers(tenant, partner, rival, evaluation_tenant):
    HouseAccountFactory(tenant=tenant, name="Jäger GmbH", domain="jaeger.example")
    HouseAccountFactory(tenant=tenant, name="International Business Machines", domain="")
    DealFactory(tenant=tenant, partner=rival, customer_name="Coca Cola Beverages", website="https://ccb.example",
                status="approved")
    DealFactory(tenant=tenant, partner=rival, customer_name="Hooli", website="https://hooli.example",
                status="approved", protected_until=timezone.localdate() - timedelta(days=1))  # lapsed
    with tenant_scope(tenant):
        deals = list(DealRegistration.objects.filter(tenant=tenant))
        probes = ([Probe.for_input(("a", i), name=p.name_a) for i, p in enumerate(PAIRS)]
                  + [Probe.for_input("domain", name="Whatever", website="https://pair-3.example"),
                     Probe.for_input("ibm", name="IBM"), Probe.for_input("jager", name="Jager"),
                     Probe.for_input("cocacola", name="CocaCola"), Probe.for_input("hooli", name="Hooli")]
                  + [Probe.for_deal(d) for d in deals])
        indexed = find_matches(tenant, probes)
        portable = find_matches_portable(tenant, probes)
    assert _answers(indexed) == _answers(portable)
    # House accounts first; the table registered "Jaeger" and "IBM" too.
    assert [(m.source, m.name) for m in indexed["jager"]] == [("house_account", "Jäger GmbH"), ("deal", "Jaeger")]
    assert [(m.source, m.name) for m in indexed["ibm"]] == [("house_account", "International Business Machines"),
                                                           ("deal", "IBM")]
    assert "Coca Cola Beverages" in [m.name for m in indexed["cocacola"]]  # words run together
    assert "Hooli" not in [m.name for m in indexed["hooli"]]  # its protection lapsed
    assert sum(len(found) for found in indexed.values()) > len(PAIRS)  # the comparison compared something


@pytest.mark.postgres
def test_the_sql_identity_keys_are_the_python_ones(db):
    if connection.vendor != "postgresql":
        pytest.skip("deals_identity_keys() exists on PostgreSQL only (migration 0006)")
    names = sorted({_n(n) for p in PAIRS for n in (p.name_a, p.name_b)} | {
        "", "a", "a b c", "area 51", "bank of america", "johnson and johnson", "acme  corp", " acme ",
        "mueller aalborg queen", "x y z w", "one two three four five six", "ab12cd", "ärger", "日立製作所",
    })
    with connection.cursor() as cursor:
        cursor.execute("SELECT n, deals_identity_keys(n) FROM unnest(%s::text[]) AS n", [names])
        rows = cursor.fetchall()
    assert len(rows) == len(names)
    for name, keys in rows:
        assert frozenset(keys) == identity_keys(name), name


@pytest.mark.postgres
@pytest.mark.django_db
def test_the_name_statistics_from_sql_equal_the_python_count(tenant, partner, evaluation_tenant):
    if connection.vendor != "postgresql":
        pytest.skip("compares the PostgreSQL aggregate with the portable count")
    for status in ("approved", "info_requested", "rejected", "won"):
        for i in range(5):
            DealFactory(tenant=tenant, partner=partner, customer_name=f"Acme Widgets {status} {i}", status=status)
    DealFactory(tenant=tenant, partner=partner, customer_name="Acme Widgets lapsed", status="approved",
                protected_until=timezone.localdate() - timedelta(days=1))
    for i in range(4):
        HouseAccountFactory(tenant=tenant, name=f"Acme House {i}", domain=f"house{i}.example")
    today = timezone.localdate()
    with tenant_scope(tenant):
        names = (list(DealRegistration.objects.filter(tenant=tenant).active(today)
                      .values_list("customer_name_normalised", flat=True))
                 + list(HouseAccount.objects.filter(tenant=tenant).values_list("name_normalised", flat=True)))
        from_sql = conflicts._postgres_statistics(tenant, today)
    assert (from_sql.names, from_sql.counts) == (len(names), NameStats.from_names(names).counts)
    # 5 approved + 5 waiting for information + 4 house accounts + the table's "Acme Consulting"
    assert from_sql.counts["acme"] == 15 and "lapsed" not in from_sql.counts


# --- The rule --------------------------------------------------------------------------------------


@pytest.mark.parametrize("a, b, why", [
    ("Umbrella Corporation", "Umbrella Corporaton", "the same name"),  # the misspelt legal form goes too
    ("Umbrella Corp", "Umbrela", "one letter apart"),
    ("Initech", "Intiech", "one letter apart"),  # swapped letters
    ("Atlassian", "Atlasian", "one letter apart"),  # a dropped letter
    ("Hooli", "Hooli Cloud Services", "both names contain “hooli”"),
    ("Wayne Industries", "Wayne Enterprises", "both names contain “wayne”"),
    ("Jäger", "Jaeger", "the same name"),
    ("Jäger", "Jager", "the same name"),
    ("Jäger Logistik", "Jager", "spelt two ways"),
    ("Ålborg Portland", "Alborg Portland", "the same name"),
    ("International Business Machines", "IBM", "initials"),
    ("Coca-Cola", "CocaCola", "the same name"),
    ("J.P. Morgan Chase", "JPMorgan Chase", "the same name"),
    ("Black Rock Capital", "BlackRock", "run together"),
    ("General Motor", "General Motors", "every word of the shorter name"),
])
def test_variants_of_one_customer_match_and_say_why(a, b, why):
    verdict = compare_names(_n(a), _n(b))
    assert verdict.accepted, verdict
    reasons = conflicts.match_reasons(False, "", verdict)
    assert reasons[0].startswith("similar name") and any(why in r for r in reasons), reasons


@pytest.mark.parametrize("a, b", [
    ("Sigma Consulting", "Omega Consulting"),  # only a generic word in common
    ("Global Industries", "Global Logistics"),
    ("Tata Motors", "Tata Steel"),  # both add a line of business
    ("Massive Dynamic", "Massive Analytics"),
    ("Nikon", "Nixon"),  # one wrong letter in a short word is another company
    ("Area 51", "Area 52"),  # never a typo in numbers
    ("Square", "Square Enix"),  # a distinctive word added
])
def test_different_companies_sharing_words_do_not_match(a, b):
    assert not compare_names(_n(a), _n(b)).accepted


def test_the_rule_is_symmetric_on_the_table():
    stats = NameStats.from_names([_n(n) for n in registered_names(PAIRS)])
    for p in PAIRS:
        one, other = compare_names(_n(p.name_a), _n(p.name_b), stats), compare_names(_n(p.name_b), _n(p.name_a), stats)
        assert (one.accepted, one.rule, round(one.score, 9)) == (other.accepted, other.rule, round(other.score, 9))


def _variants(name: str, rng: random.Random) -> list[str]:
    words = name.split()
    out = [name, " ".join(words + ["services"]), " ".join(words[:-1]), " ".join(["the"] + words)]
    for _ in range(4):
        i = rng.randrange(len(words))
        w = words[i]
        if len(w) > 2:
            j = rng.randrange(len(w) - 1)
            out += [" ".join(words[:i] + [w[:j] + w[j + 1:]] + words[i + 1:]),
                    " ".join(words[:i] + [w[:j] + w[j + 1] + w[j] + w[j + 2:]] + words[i + 1:]),
                    " ".join(words[:i] + [w[:j] + "e" + w[j + 1:]] + words[i + 1:])]
    if len(words) > 1:
        out.append("".join(words[:2]) + " " + " ".join(words[2:]))
    return [v.strip() for v in out if v.strip()]


@pytest.mark.parametrize("stats_from", ["no statistics", "the table's names"])
def test_the_candidate_filter_never_drops_a_pair_the_rule_accepts(stats_from):
    rng = random.Random(21)
    names = sorted({_n(n) for p in PAIRS for n in (p.name_a, p.name_b)})
    stats = NO_STATS if stats_from == "no statistics" else NameStats.from_names(names + names[:40] * 5)
    probes = sorted({v for n in rng.sample(names, 60) for v in _variants(n, rng)})
    stored = names + rng.sample(probes, 150)
    index = NameIndex(stats)
    for i, name in enumerate(stored):
        index.add(i, name)
    accepted = 0
    for probe in probes:
        search = name_search(probe, stats)
        through = set(index.candidates(probe))
        for i, name in enumerate(stored):
            if compare_names(probe, name, stats).accepted:
                accepted += 1
                assert search.finds(identity_keys(name)) and i in through, (probe, name)
    assert accepted > len(probes)


# --- Weights from the tenant's own names --------------------------------------------------------------


def test_words_common_in_the_tenants_names_weigh_less_and_listed_words_keep_their_weight():
    names = [_n(f"Acme {w}") for w in ("Robotics", "Anvils", "Rockets", "Explosives", "Magnets", "Traps",
                                       "Rollers", "Bombs", "Springs")] + ["hooli", "consulting house"]
    stats = NameStats.from_names(names)
    assert stats.weight("hooli") == 1.0 > stats.weight("acme") and not stats.distinctive("acme")
    assert stats.weight("consulting") == NO_STATS.weight("consulting") < 0.5  # a sector word either way
    assert stats.weight("inc") < stats.weight("services") < stats.weight("consulting") < stats.weight("zyxel")


@pytest.mark.django_db
def test_acme_analytics_matches_acme_corp_unless_many_customers_are_called_acme(tenant, partner):
    DealFactory(tenant=tenant, partner=partner, customer_name="Acme Corp", website="https://acmecorp.example")
    probe = Probe.for_input("p", name="Acme Analytics", website="https://acmeanalytics.example")
    with tenant_scope(tenant):
        alone = matches_for(tenant, probe)
        for w in ("Robotics", "Anvils", "Rockets", "Explosives", "Magnets", "Traps"):
            DealFactory(tenant=tenant, partner=partner, customer_name=f"Acme {w}", website=f"https://acme-{w}.example")
        cached = matches_for(tenant, probe)  # the statistics are reused until they expire
        conflicts.forget_name_statistics(tenant)
        crowded = matches_for(tenant, probe)
    assert [m.name for m in alone] == ["Acme Corp"] and "both names contain “acme”" in alone[0].reasons
    assert [m.name for m in cached] == ["Acme Corp"]
    assert crowded == []


@pytest.mark.django_db
def test_statistics_count_recent_active_registrations_and_house_accounts_once_per_ttl(tenant, partner,
                                                                                   django_assert_num_queries):
    DealFactory(tenant=tenant, partner=partner, customer_name="Hooli Cloud", status="approved")
    DealFactory(tenant=tenant, partner=partner, customer_name="Hooli Rejected", status="rejected")
    HouseAccountFactory(tenant=tenant, name="Hooli House", domain="hoolihouse.example")
    with tenant_scope(tenant):
        stats = name_statistics(tenant)
        with django_assert_num_queries(0):
            assert name_statistics(tenant) == stats
    assert stats.names == 2 and stats.counts == {}  # nothing above the cutoff of 3 yet
