"""Building the benchmark tenant with set-based SQL, and its 11 weeks of snapshot history."""

from __future__ import annotations

from datetime import timedelta

from bench.analytics.common import KINDS, SLUG, log

# --- Building the data set ------------------------------------------------------------------


def _insert_select(cursor, model, count_sql: str, exprs: dict[str, str]) -> None:
    """INSERT INTO <model> (every column) SELECT <expr or default> FROM <count_sql>: columns not in
    `exprs` get the field's static default (as a parameter), '' for blank text, or NULL. Expressions
    hold only numbers we format in ourselves, never outside input."""
    columns, values, args = [], [], []
    for field in model._meta.concrete_fields:
        column = field.column
        if field.get_internal_type() in ("AutoField", "BigAutoField") and column not in exprs:
            continue  # the database numbers the rows
        columns.append(f'"{column}"')
        if column in exprs:
            values.append(exprs[column].replace("%", "%%"))  # literal % (modulo, LIKE) next to parameters
        elif field.null:
            values.append("NULL")
        elif field.has_default() and not callable(field.default):
            values.append("%s")
            args.append(field.get_db_prep_save(field.get_default(), connection=cursor.db))
        elif field.get_internal_type() in ("CharField", "TextField", "SlugField", "EmailField", "URLField",
                                           "FileField", "ImageField"):
            values.append("''")
        else:
            raise ValueError(f"{model._meta.label}.{field.name} needs an expression")
    sql = (f'INSERT INTO {model._meta.db_table} ({", ".join(columns)}) SELECT {", ".join(values)} '
           f'FROM {count_sql.replace("%", "%%")}')
    cursor.execute(sql, args)


def _uuid(prefix: str, expr: str) -> str:
    """A deterministic UUID for row `expr` (cheap: no hashing of 10 million rows)."""
    return f"('{prefix}' || lpad(to_hex({expr}), 12, '0'))::uuid"


def _syllables(count: int) -> str:
    from bench.deal_conflicts import SYLLABLES

    pick = f"(ARRAY[{', '.join(repr(x) for x in SYLLABLES)}])[1 + floor(random() * {len(SYLLABLES)})::int]"
    return " || ".join([pick] * count)


_CUSTOMER_WORDS = f"{_syllables(3)} AS w1, {_syllables(2)} AS w2"
PARTNER_UUID = "00000000-0000-4000-8000-"
DEAL_UUID = "00000000-0000-4000-9000-"


class _BulkLoad:
    """A bulk load into one table: its secondary indexes are dropped first and built again after the
    load commits (much faster than maintaining them row by row), and foreign-key triggers are off
    during the load (`session_replication_role = replica`; the generated ids are consistent by
    construction)."""

    def __init__(self, table: str):
        from django.db import connection

        self.table = table
        with connection.cursor() as cursor:
            cursor.execute("SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s AND indexname NOT IN "
                           "(SELECT conname FROM pg_constraint WHERE contype IN ('p', 'u'))", [table])
            self.indexes = cursor.fetchall()

    def __enter__(self):
        from django.db import connection, transaction

        with connection.cursor() as cursor:
            for name, _definition in self.indexes:
                cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
        self.atomic = transaction.atomic()
        self.atomic.__enter__()
        self.cursor = connection.cursor()
        self.cursor.execute("SET LOCAL session_replication_role = replica")
        return self.cursor

    def __exit__(self, *exc):
        from django.db import connection

        self.cursor.close()
        self.atomic.__exit__(*exc)
        with connection.cursor() as cursor:  # rebuilt even when the load failed, so the table stays usable
            for _name, definition in self.indexes:
                cursor.execute(definition)
        return False


def build(partners: int, events: int, deals: int, rebuild: bool):
    from django.db import connection, transaction

    from deals.models import DealPartner, DealRegistration
    from partners.models import Partner, PartnerType, Tier
    from prm.events.models import EngagementEvent
    from prm.tenancy.models import Tenant

    tenant = Tenant.objects.filter(slug=SLUG).first()
    if tenant is not None and rebuild:
        log("removing the previous benchmark tenant")
        _drop(tenant)
        tenant = None
    if tenant is not None:
        log(f"reusing tenant {SLUG!r} (pass --rebuild to start over)")
        return tenant
    tenant = Tenant.objects.create(slug=SLUG, name="Benchmark Networks", base_currency="USD")
    from prm.tenancy.scoping import tenant_scope

    with tenant_scope(tenant):
        types = [PartnerType.objects.create(tenant=tenant, code=c, name=n) for c, n in (
            ("reseller", "Reseller"), ("referral", "Referral partner"), ("technology", "Technology partner"),
            ("consultant", "Consultant"), ("msp", "Managed service provider"))]
        tiers = [Tier.objects.create(tenant=tenant, rank=r, name=n, min_won_revenue_12m=rev, min_active_certifications=0,
                                     discount_percent=d, mdf_eligible=r >= 3) for r, n, rev, d in (
            (1, "Registered", 0, 0), (2, "Silver", 50000, 10), (3, "Gold", 250000, 20), (4, "Platinum", 1000000, 30))]
    type_ids = "ARRAY[" + ",".join(f"'{t.pk}'::uuid" for t in types) + "]"
    tier_ids = "ARRAY[" + ",".join(f"'{t.pk}'::uuid" for t in tiers) + "]"
    with transaction.atomic(), connection.cursor() as cursor:
        log(f"inserting {partners:,} partners")
        _insert_select(cursor, Partner, f"generate_series(1, {int(partners)}) g", {
            "id": _uuid(PARTNER_UUID, "g"), "tenant_id": str(int(tenant.pk)), "name": "'Partner ' || g",
            "domain": "'partner' || g || '.bench.example'", "website": "'https://partner' || g || '.bench.example'",
            "partner_type_id": f"({type_ids})[1 + g % 5]",
            "tier_id": f"({tier_ids})[CASE WHEN g % 50 = 0 THEN 4 WHEN g % 10 = 0 THEN 3 WHEN g % 3 = 0 THEN 2 ELSE 1 END]",
            "status": "CASE WHEN g % 20 = 0 THEN 'churned' WHEN g % 25 = 0 THEN 'suspended' "
                      "WHEN g % 9 = 0 THEN 'onboarding' WHEN g % 31 = 0 THEN 'prospect' ELSE 'active' END",
            "regions": "(ARRAY['[\"NA\"]', '[\"EMEA\"]', '[\"APAC\"]', '[\"LATAM\"]', '[\"EMEA\", \"NA\"]'])[1 + g % 5]::jsonb",
            "specialties": "'[]'::jsonb",
            "joined_at": "now() - make_interval(days => (30 + (g::bigint * 7919) % 1000)::int)",
        })
    # Events and deals: secondary indexes are dropped for the load and rebuilt after (much faster).
    kinds = "ARRAY[" + ",".join(f"'{k}'" for k, w in KINDS for _ in range(w)) + "]"
    weights = sum(w for _k, w in KINDS)
    with _BulkLoad(EngagementEvent._meta.db_table) as cursor:
        log(f"inserting {events:,} events over the last 365 days (indexes rebuilt afterwards)")
        # Activity is skewed: partner p = n·u² picks low numbers far more often (a few very active partners).
        _insert_select(cursor, EngagementEvent, f"generate_series(1, {int(events)}) g", {
            "tenant_id": str(int(tenant.pk)),
            "partner_id": _uuid(PARTNER_UUID, f"1 + floor({partners} * random() ^ 2)::int"),
            "kind": f"({kinds})[1 + floor(random() * {weights})::int]",
            "occurred_at": f"now() - interval '365 days' + (g::float8 / {events}) * interval '365 days' "
                           "- random() * interval '1 hour'",
            "data": "'{}'::jsonb",
        })
    with _BulkLoad(DealRegistration._meta.db_table) as cursor:
        log(f"inserting {deals:,} deals and their attribution")
        status = ("CASE WHEN g % 20 < 7 THEN 'won' WHEN g % 20 < 11 THEN 'lost' WHEN g % 20 < 14 THEN 'approved' "
                  "WHEN g % 20 < 17 THEN 'submitted' WHEN g % 20 < 18 THEN 'rejected' ELSE 'expired' END")
        submitted = f"now() - interval '365 days' + (g::float8 / {deals}) * interval '365 days'"
        # Customer names from random syllables ("Korvito Delan"), as distinct as real company names:
        # numbered names ("Customer 17") would all look alike to the trigram conflict check.
        _insert_select(cursor, DealRegistration, f"(SELECT g, {status} AS st, {submitted} AS sub, "
                       f"(1000 + (g::bigint * 7919) % 99000)::numeric AS amt, {_CUSTOMER_WORDS} "
                       f"FROM generate_series(1, {int(deals)}) g) d", {
            "id": _uuid(DEAL_UUID, "g"), "tenant_id": str(int(tenant.pk)),
            "partner_id": _uuid(PARTNER_UUID, f"1 + floor({partners} * random() ^ 1.5)::int"),
            "customer_name": "initcap(w1 || ' ' || w2)", "customer_name_normalised": "w1 || ' ' || w2",
            "customer_key": "'bench-' || g", "customer_domain": "w1 || '-' || w2 || '-' || g || '.example'",
            "currency": "'USD'", "amount": "amt", "base_amount": "amt", "status": "st", "submitted_at": "sub",
            "sla_due_at": "sub + interval '2 days'",
            "decided_at": "CASE WHEN st IN ('submitted') THEN NULL ELSE sub + (random() * 4) * interval '1 day' END",
            "protected_until": "CASE WHEN st = 'approved' THEN (sub + interval '90 days')::date END",
            "won_amount": "CASE WHEN st = 'won' THEN amt END", "won_base_amount": "CASE WHEN st = 'won' THEN amt END",
            "closed_on": "CASE WHEN st IN ('won', 'lost') THEN LEAST(current_date, (sub + interval '40 days')::date) END",
            "submission_nonce": _uuid("00000000-0000-4000-a000-", "g"), "updated_at": "now()",
        })
        _insert_select(cursor, DealPartner, f"{DealRegistration._meta.db_table} d WHERE d.tenant_id = {int(tenant.pk)}", {
            "id": "gen_random_uuid()", "tenant_id": "d.tenant_id", "deal_id": "d.id", "partner_id": "d.partner_id",
            "role": "'sourced'", "created_at": "d.submitted_at",
        })
        # One deal in ten also credits an influencing partner: another one (a draw that hits the
        # registering partner itself is skipped; the pair is unique per deal).
        influencer = _uuid(PARTNER_UUID, f"1 + (('x' || substr(d.id::text, 25))::bit(48)::bigint * 7) % {int(partners)}")
        _insert_select(cursor, DealPartner, f"{DealRegistration._meta.db_table} d WHERE d.tenant_id = {int(tenant.pk)} "
                       f"AND d.status = 'won' AND d.customer_key LIKE '%0' AND d.partner_id <> {influencer}", {
            "id": "gen_random_uuid()", "tenant_id": "d.tenant_id", "deal_id": "d.id",
            "partner_id": influencer, "role": "'influenced'", "created_at": "d.submitted_at",
        })
    with connection.cursor() as cursor:
        log("VACUUM ANALYZE (visibility map for index-only scans, planner statistics)")
        for model in (Partner, EngagementEvent, DealRegistration, DealPartner):
            cursor.execute(f"VACUUM ANALYZE {model._meta.db_table}")
    return tenant


def _drop(tenant) -> None:
    """Delete every row of the tenant table by table (FKs are deferred until commit)."""
    from django.apps import apps
    from django.db import connection, transaction

    from prm.tenancy.models import TenantOwnedModel

    with transaction.atomic(), connection.cursor() as cursor:
        # Foreign-key triggers off: every row of the tenant goes, and the checks (by partner id, which
        # no tenant-leading index serves) would scan the event table once per deleted partner.
        cursor.execute("SET LOCAL session_replication_role = replica")
        for model in apps.get_models(include_auto_created=True):
            if issubclass(model, TenantOwnedModel) and not model._meta.proxy:
                cursor.execute(f"DELETE FROM {model._meta.db_table} WHERE tenant_id = %s", [tenant.pk])
        cursor.execute("DELETE FROM tenancy_tenant WHERE id = %s", [tenant.pk])


def synthesize_history(tenant, weeks: int = 11) -> None:
    """Weekly snapshot history before today, derived set-based from today's snapshots (with noise), so
    the nightly job trains its churn model and the dashboard draws 12-week trends as in production."""
    from django.db import connection, transaction
    from django.utils import timezone

    from analytics.models import PartnerHealthSnapshot
    from analytics.services.sql_chunk.pieces import day_uuid
    from analytics.services.summary import write_summary

    today = timezone.localdate()
    table = PartnerHealthSnapshot._meta.db_table
    fields = [f.column for f in PartnerHealthSnapshot._meta.concrete_fields]
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} WHERE tenant_id = %s AND date < %s", [tenant.pk, today])
        for week in range(weeks, 0, -1):
            day = today - timedelta(weeks=week)
            # Planted signal: partners who have churned by now were active then, but quiet (few
            # engagements, no recent sign-in); everyone else looks like today with some noise.
            exprs = {
                "id": day_uuid("%(day)s::date"), "date": "%(day)s", "run_id": "NULL",
                "events_30": "CASE WHEN status = 'churned' THEN events_30 / 5 "
                             "ELSE GREATEST(0, events_30 + (random() * 6)::int - 2) END",
                "days_since_sign_in": "CASE WHEN status = 'churned' THEN 25 + (random() * 30)::int "
                                      "ELSE days_since_sign_in END",
                "score": "LEAST(100, GREATEST(0, score + (random() * 10)::int - 5))",
                "status": "CASE WHEN status = 'churned' AND %(week)s > 6 THEN 'active' ELSE status END",
            }
            select = ", ".join(exprs.get(c, c) for c in fields)
            cursor.execute(f"INSERT INTO {table} ({', '.join(fields)}) SELECT {select} FROM {table} "
                           "WHERE tenant_id = %(tenant)s AND date = %(today)s",
                           {"day": day, "week": week, "tenant": tenant.pk, "today": today})
    from prm.tenancy.scoping import tenant_scope

    with tenant_scope(tenant):
        for week in range(weeks, 0, -1):
            write_summary(tenant, today - timedelta(weeks=week))
    with connection.cursor() as cursor:  # the bulk insert left dead rows and stale statistics behind
        cursor.execute(f"VACUUM ANALYZE {table}")
