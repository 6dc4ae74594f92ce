"""The feature settings left the Tenant for the apps' own tables: the migrations carry each tenant's
values over (forwards) and back onto the Tenant's columns (backwards), on SQLite and PostgreSQL."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

# Before: the settings were columns of the Tenant. After: DealSettings and PartnerSettings rows.
BEFORE = [("tenancy", "0003_brand_colour_contrast"), ("deals", "0004_review_queue_index"),
          ("partners", "0005_partner_tenant_key")]
AFTER = [("tenancy", "0004_settings_moved_to_their_apps"), ("deals", "0005_dealsettings"),
         ("partners", "0006_partnersettings")]

DEAL_VALUES = {
    "north": {"deal_protection_days": 45, "deal_approval_sla_days": 5, "auto_approve_on_sla_breach": True,
              "deal_contact_required": False},
    "south": {"deal_protection_days": 200, "deal_approval_sla_days": 7, "auto_approve_on_sla_breach": False,
              "deal_contact_required": False},
}
PARTNER_VALUES = {
    "north": {"tier_downgrade_grace_days": 0, "agreement_grace_days": 14, "tier_evaluation": "automatic",
              "restrict_managers_to_book": True},
    "south": {"tier_downgrade_grace_days": 90, "agreement_grace_days": 3, "tier_evaluation": "automatic",
              "restrict_managers_to_book": False},
}


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.slow  # unapplying migrations renders every model state (about 20 s on SQLite)
@pytest.mark.django_db(transaction=True)
def test_settings_move_to_the_apps_tables_with_each_tenants_values_and_back():
    try:
        old = migrate(BEFORE)
        Tenant = old.get_model("tenancy", "Tenant")
        for slug in ("north", "south"):
            Tenant.objects.create(slug=slug, name=slug.title(), **DEAL_VALUES[slug], **PARTNER_VALUES[slug])
        Tenant.objects.create(slug="plain", name="Plain")  # the defaults travel too

        new = migrate(AFTER)
        tenants = {t.slug: t.pk for t in new.get_model("tenancy", "Tenant").objects.all()}
        assert not {f.name for f in new.get_model("tenancy", "Tenant")._meta.fields} & {*DEAL_VALUES["north"],
                                                                                        *PARTNER_VALUES["north"]}
        for model, values in (("deals.DealSettings", DEAL_VALUES), ("partners.PartnerSettings", PARTNER_VALUES)):
            rows = {row.pop("tenant_id"): row
                    for row in new.get_model(model).objects.values("tenant_id", *values["north"])}
            assert len(rows) == 3, model  # one row per tenant
            for slug, expected in values.items():
                assert rows[tenants[slug]] == expected, (model, slug)
        assert new.get_model("deals.DealSettings").objects.get(tenant_id=tenants["plain"]).deal_protection_days == 90
        # A tenant admin changes a setting after the move; going back keeps that change too.
        new.get_model("deals.DealSettings").objects.filter(tenant_id=tenants["south"]).update(deal_approval_sla_days=9)

        old = migrate(BEFORE)
        back = {t.slug: t for t in old.get_model("tenancy", "Tenant").objects.all()}
        for slug in ("north", "south"):
            expected = {**DEAL_VALUES[slug], **PARTNER_VALUES[slug]}
            if slug == "south":
                expected["deal_approval_sla_days"] = 9
            assert {name: getattr(back[slug], name) for name in expected} == expected, slug
        assert (back["plain"].deal_protection_days, back["plain"].tier_evaluation) == (90, "propose")
        tables = set(connection.introspection.table_names())
        assert "deals_dealsettings" not in tables and "partners_partnersettings" not in tables
    finally:
        executor = MigrationExecutor(connection)
        executor.migrate(executor.loader.graph.leaf_nodes())
