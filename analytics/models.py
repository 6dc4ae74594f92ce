"""Analytics: per-tenant scoring settings, nightly health runs (with resumable chunks), the daily
partner health snapshot, and a per-segment daily summary the dashboards read.

Nothing here is written by another app: the nightly job (analytics.services.runs) computes it
from the event stream and the other apps' tables.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from prm.tenancy.models import Tenant, TenantOwnedModel

MONEY = {"max_digits": 16, "decimal_places": 2, "default": 0}
PERIODS = (30, 90, 365)  # the dashboard's periods, in days
ROLES = ("sourced", "influenced", "fulfilled")  # deal attribution roles (deals.DealPartner.Role)
PARTNER_STATUSES = [("prospect", _("Prospect")), ("onboarding", _("Onboarding")), ("active", _("Active")),
                    ("suspended", _("Suspended")), ("churned", _("Churned"))]

# Health score components: (key, default weight). The defaults sum to 100; a tenant admin may
# change them (any non-negative integers; the score divides by the sum of applicable weights).
COMPONENTS = [
    ("activity", 25),
    ("recency", 15),
    ("trend", 10),
    ("deals", 15),
    ("wins", 10),
    ("onboarding", 10),
    ("certifications", 10),
    ("mdf", 5),
]
COMPONENT_KEYS = [key for key, _weight in COMPONENTS]


def _weight_field(key: str, default: int, label) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(label, default=default, validators=[MaxValueValidator(100)])


class AnalyticsSettings(TenantOwnedModel):
    """How a tenant scores its partners. One row per tenant, created with the defaults on first use."""

    weight_activity = _weight_field("activity", 25, _("weight: activity in the last 30 days"))
    weight_recency = _weight_field("recency", 15, _("weight: recent sign-in"))
    weight_trend = _weight_field("trend", 10, _("weight: activity trend"))
    weight_deals = _weight_field("deals", 15, _("weight: deals registered"))
    weight_wins = _weight_field("wins", 10, _("weight: win rate"))
    weight_onboarding = _weight_field("onboarding", 10, _("weight: onboarding completion"))
    weight_certifications = _weight_field("certifications", 10, _("weight: active certifications"))
    weight_mdf = _weight_field("mdf", 5, _("weight: MDF utilisation"))

    activity_target = models.PositiveIntegerField(
        _("activity target (events in 30 days)"), default=20, validators=[MinValueValidator(1)],
        help_text=_("A partner with this many engagement events in 30 days gets full activity points."),
    )
    deals_target = models.PositiveIntegerField(
        _("deal target (registrations in 90 days)"), default=3, validators=[MinValueValidator(1)],
    )
    certifications_target = models.PositiveIntegerField(
        _("certification target"), default=2, validators=[MinValueValidator(1)],
    )
    recency_full_days = models.PositiveSmallIntegerField(
        _("sign-in counts fully for (days)"), default=7, validators=[MaxValueValidator(365)],
    )
    recency_zero_days = models.PositiveSmallIntegerField(
        _("sign-in counts nothing after (days)"), default=60, validators=[MinValueValidator(1), MaxValueValidator(365)],
    )
    churn_horizon_days = models.PositiveSmallIntegerField(
        _("churn horizon (days)"), default=60, validators=[MinValueValidator(14), MaxValueValidator(365)],
        help_text=_("The model learns who churned or went dormant within this many days after a snapshot."),
    )
    at_risk_percent = models.PositiveSmallIntegerField(
        _("at risk from (%)"), default=60, validators=[MinValueValidator(1), MaxValueValidator(99)],
        help_text=_("Partners whose churn risk reaches this are listed as at risk."),
    )
    updated_at = models.DateTimeField(auto_now=True)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+", editable=False)

    class Meta:
        verbose_name = _("analytics settings")
        verbose_name_plural = _("analytics settings")
        constraints = [models.UniqueConstraint(fields=["tenant"], name="analytics_settings_one_per_tenant")]

    def __str__(self) -> str:
        return str(_("Analytics settings"))

    @property
    def weights(self) -> dict[str, int]:
        return {key: getattr(self, f"weight_{key}") for key in COMPONENT_KEYS}

    @property
    def at_risk_threshold(self) -> float:
        return self.at_risk_percent / 100

    def clean(self) -> None:
        if sum(self.weights.values()) <= 0:
            raise ValidationError(_("Give at least one component a weight above zero."))
        if self.recency_full_days >= self.recency_zero_days:
            raise ValidationError({"recency_zero_days": _("This must be more days than the full-points period.")})


class HealthRun(TenantOwnedModel):
    """One computation of a date's snapshots for one tenant, split into partner-id-range chunks.

    At most one run per tenant is `running` (a partial unique index, on SQLite and PostgreSQL);
    a run whose worker died is resumed by the next start: only its unfinished chunks are redone.
    """

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        SCHEDULE = "schedule", _("Nightly schedule")
        MANUAL = "manual", _("Run now")
        COMMAND = "command", _("Command line")
        BACKFILL = "backfill", _("Backfill")

    date = models.DateField(_("date"))
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.RUNNING)
    trigger = models.CharField(_("trigger"), max_length=10, choices=Trigger.choices, default=Trigger.SCHEDULE)
    triggered_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", verbose_name=_("started by"))
    started_at = models.DateTimeField(_("started"))
    heartbeat_at = models.DateTimeField(_("last progress"))
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    partners_total = models.PositiveIntegerField(_("partners"), default=0)
    partners_scored = models.PositiveIntegerField(_("partners scored"), default=0)
    chunks_total = models.PositiveIntegerField(_("chunks"), default=0)
    chunks_done = models.PositiveIntegerField(_("chunks done"), default=0)
    attempts = models.PositiveSmallIntegerField(_("starts"), default=1)
    churn_model = models.JSONField(_("churn model"), default=dict, blank=True)
    tier_changes = models.JSONField(_("tier changes"), default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)

    class Meta:
        ordering = ["-started_at"]
        verbose_name = _("health run")
        verbose_name_plural = _("health runs")
        constraints = [
            models.UniqueConstraint(fields=["tenant"], condition=models.Q(status="running"),
                                    name="analytics_healthrun_one_running"),
        ]
        indexes = [
            models.Index(fields=["tenant", "date", "status"], name="analytics_run_date"),
            models.Index(fields=["tenant", "started_at"], name="analytics_run_started"),
        ]

    def __str__(self) -> str:
        return f"{self.date} ({self.get_status_display()})"

    @property
    def progress_percent(self) -> int:
        return round(100 * self.chunks_done / self.chunks_total) if self.chunks_total else 0

    @property
    def duration(self):
        return (self.finished_at - self.started_at) if self.finished_at else None


class HealthRunChunk(TenantOwnedModel):
    """A contiguous range of partner ids [first_id, last_id] computed in one transaction."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")

    run = models.ForeignKey(HealthRun, on_delete=models.CASCADE, related_name="chunks")
    seq = models.PositiveIntegerField()
    first_id = models.UUIDField()
    last_id = models.UUIDField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    partners = models.PositiveIntegerField(default=0)
    attempts = models.PositiveSmallIntegerField(default=0)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    error = models.TextField(blank=True)
    # analytics.services.summary.chunk_summary of the chunk's partners, added up when the run closes.
    summary = models.JSONField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["run", "seq"]
        verbose_name = _("health run chunk")
        verbose_name_plural = _("health run chunks")
        constraints = [models.UniqueConstraint(fields=["tenant", "run", "seq"], name="analytics_chunk_unique_seq")]

    def __str__(self) -> str:
        return f"{self.run_id} #{self.seq} {self.status}"


def snapshot_id(day: date) -> uuid.UUID:
    """A snapshot's primary key: a UUIDv7 whose timestamp is its date (midnight UTC), then 70
    random bits (sql_chunk.pieces.day_uuid writes the same in SQL).

    A night writes one row per partner, all of one date. With random (v4) keys each row went to a
    random leaf page of the primary-key index, so every night touched most of that index again
    (on the benchmark a chunk's statement ran about 9 % faster without the key at all). Keys that start with the date put a night's
    rows in one fresh region of the index; random within it, so workers writing chunks at the same
    time do not all insert into its last page, as keys ordered to the millisecond would."""
    ms = int(datetime.combine(day, time.min, tzinfo=UTC).timestamp() * 1000)
    return uuid.UUID(bytes=ms.to_bytes(6, "big") + b"\x70" + uuid.uuid4().bytes[7:])


class PartnerHealthSnapshot(TenantOwnedModel):
    """A partner's health on one date: features, score with its components, churn risk with its
    reasons, the tier recommendation and the next best actions. One row per (partner, date);
    re-running a date replaces the row."""

    class Recommendation(models.TextChoices):
        PROMOTE = "promote", _("Promote")
        DEMOTE = "demote", _("Demote")
        KEEP = "keep", _("Keep")
        NONE = "none", _("No tiers")

    class TierAction(models.TextChoices):
        NONE = "none", _("Nothing to do")
        APPLIED = "applied", _("Applied automatically")
        SCHEDULED = "scheduled", _("Downgrade scheduled after the grace period")
        PROPOSED = "proposed", _("Proposed to a channel manager")

    class ChurnMethod(models.TextChoices):
        MODEL = "model", _("Model trained on this program's history")
        RULES = "rules", _("Rule-based estimate")

    # On PostgreSQL one composite foreign key, (tenant, partner) -> the partner's (tenant, id), stands
    # for the two single ones (analytics migration 0009): the database refuses a snapshot of another
    # tenant's partner, and checks each written row once instead of twice. The unique
    # (tenant, partner, date) and (tenant, date, risk) indexes lead with the tenant, so it needs no
    # index of its own either.
    tenant = models.ForeignKey(Tenant, on_delete=models.CASCADE, related_name="+", editable=False,
                               db_index=False, db_constraint=False)
    partner = models.ForeignKey("partners.Partner", on_delete=models.CASCADE, related_name="+", db_constraint=False)
    date = models.DateField(_("date"))
    # Few indexes on purpose: a run upserts one row per partner, and these references are only
    # followed from the snapshot (never searched by), so they get no (tenant, fk) index. Nor a
    # database constraint (db_constraint=False): each would be one deferred check per row at every
    # chunk's commit (about 0.5 s per 10,000 rows for these five), while Django's on_delete still
    # clears them when a run, tier or type is deleted.
    run = models.ForeignKey(HealthRun, on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                            db_index=False, db_constraint=False)
    # The partner as it was on the date (dashboards filter and churn labels read these).
    status = models.CharField(_("status"), max_length=12, choices=PARTNER_STATUSES)
    tier = models.ForeignKey("partners.Tier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                             db_index=False, db_constraint=False)
    partner_type = models.ForeignKey("partners.PartnerType", on_delete=models.SET_NULL, null=True, blank=True,
                                     related_name="+", db_index=False, db_constraint=False)
    # Features (set-based aggregates; see analytics.services.features)
    events_30 = models.PositiveIntegerField(default=0)
    events_90 = models.PositiveIntegerField(default=0)
    events_prev_30 = models.PositiveIntegerField(default=0)
    sign_ins_30 = models.PositiveIntegerField(default=0)
    content_30 = models.PositiveIntegerField(default=0)
    courses_90 = models.PositiveIntegerField(default=0)
    activity = models.JSONField(default=dict, blank=True)  # {kind: [last 30 days, last 90 days]}
    days_since_sign_in = models.PositiveIntegerField(null=True, blank=True)
    deals_registered_90 = models.PositiveIntegerField(default=0)
    deals_won_12m = models.PositiveIntegerField(default=0)
    deals_lost_12m = models.PositiveIntegerField(default=0)
    win_rate = models.FloatField(null=True, blank=True)
    open_pipeline = models.DecimalField(**MONEY)
    won_revenue_30 = models.DecimalField(**MONEY)
    won_revenue_90 = models.DecimalField(**MONEY)
    won_revenue_12m = models.DecimalField(**MONEY)
    days_since_deal = models.PositiveIntegerField(null=True, blank=True)
    onboarding_completion = models.FloatField(null=True, blank=True)
    active_certifications = models.PositiveIntegerField(default=0)
    mdf_allocated = models.DecimalField(**MONEY)
    mdf_used = models.DecimalField(**MONEY)
    mdf_utilisation = models.FloatField(null=True, blank=True)
    tenure_days = models.PositiveIntegerField(default=0)
    # Period figures the executive dashboard sums per segment (periods of 30, 90 and 365 days):
    # activation, deal decisions against the SLA, won revenue credited by attribution role.
    activated = models.BooleanField(default=False)  # first approved deal within 90 days of joining
    decided_30 = models.PositiveIntegerField(default=0)
    decided_90 = models.PositiveIntegerField(default=0)
    decided_365 = models.PositiveIntegerField(default=0)
    decided_in_sla_30 = models.PositiveIntegerField(default=0)
    decided_in_sla_90 = models.PositiveIntegerField(default=0)
    decided_in_sla_365 = models.PositiveIntegerField(default=0)
    decision_hours_30 = models.FloatField(default=0)
    decision_hours_90 = models.FloatField(default=0)
    decision_hours_365 = models.FloatField(default=0)
    sourced_won_30 = models.DecimalField(**MONEY)
    sourced_won_90 = models.DecimalField(**MONEY)
    sourced_won_365 = models.DecimalField(**MONEY)
    influenced_won_30 = models.DecimalField(**MONEY)
    influenced_won_90 = models.DecimalField(**MONEY)
    influenced_won_365 = models.DecimalField(**MONEY)
    fulfilled_won_30 = models.DecimalField(**MONEY)
    fulfilled_won_90 = models.DecimalField(**MONEY)
    fulfilled_won_365 = models.DecimalField(**MONEY)
    sourced_deals_30 = models.PositiveIntegerField(default=0)
    sourced_deals_90 = models.PositiveIntegerField(default=0)
    sourced_deals_365 = models.PositiveIntegerField(default=0)
    influenced_deals_30 = models.PositiveIntegerField(default=0)
    influenced_deals_90 = models.PositiveIntegerField(default=0)
    influenced_deals_365 = models.PositiveIntegerField(default=0)
    fulfilled_deals_30 = models.PositiveIntegerField(default=0)
    fulfilled_deals_90 = models.PositiveIntegerField(default=0)
    fulfilled_deals_365 = models.PositiveIntegerField(default=0)
    # Score
    score = models.PositiveSmallIntegerField(_("health score"), validators=[MaxValueValidator(100)])
    # The breakdown: each component's value between 0 and 1 (NULL: does not apply to this partner)
    # and the weights in force ({component: weight}); `components` derives the points from them.
    # Plain columns rather than a JSON breakdown per row: a night writes one row per partner, and
    # the JSON object (a third of the row) took about a tenth of the nightly job to build and store.
    component_activity = models.FloatField(null=True, blank=True)
    component_recency = models.FloatField(null=True, blank=True)
    component_trend = models.FloatField(null=True, blank=True)
    component_deals = models.FloatField(null=True, blank=True)
    component_wins = models.FloatField(null=True, blank=True)
    component_onboarding = models.FloatField(null=True, blank=True)
    component_certifications = models.FloatField(null=True, blank=True)
    component_mdf = models.FloatField(null=True, blank=True)
    component_weights = models.JSONField(default=dict, blank=True)
    # Churn
    churn_risk = models.FloatField(_("churn risk"), validators=[MinValueValidator(0), MaxValueValidator(1)])
    churn_method = models.CharField(max_length=8, choices=ChurnMethod.choices, default=ChurnMethod.RULES)
    churn_reasons = models.JSONField(default=list, blank=True)
    churn_note = models.CharField(max_length=300, blank=True)
    # Tier evaluation
    recommendation = models.CharField(max_length=8, choices=Recommendation.choices, default=Recommendation.NONE)
    recommended_tier = models.ForeignKey("partners.Tier", on_delete=models.SET_NULL, null=True, blank=True,
                                         related_name="+", db_index=False, db_constraint=False)
    next_tier = models.ForeignKey("partners.Tier", on_delete=models.SET_NULL, null=True, blank=True, related_name="+",
                                  db_index=False, db_constraint=False)
    tier_missing = models.JSONField(default=list, blank=True)
    next_tier_missing = models.JSONField(default=list, blank=True)
    tier_action = models.CharField(max_length=10, choices=TierAction.choices, default=TierAction.NONE)
    next_actions = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField()

    class Meta:
        ordering = ["-date", "-churn_risk"]
        verbose_name = _("partner health snapshot")
        verbose_name_plural = _("partner health snapshots")
        constraints = [
            models.UniqueConstraint(fields=["tenant", "partner", "date"], name="analytics_snapshot_one_per_day"),
        ]
        indexes = [
            # At-risk lists (date, riskiest first); its (tenant, date) prefix serves the other per-date reads.
            models.Index(fields=["tenant", "date", "churn_risk"], name="analytics_snapshot_risk"),
        ]

    def __str__(self) -> str:
        return f"{self.partner_id} {self.date}: {self.score}"

    @property
    def risk_percent(self) -> int:
        return round(self.churn_risk * 100)

    @property
    def component_values(self) -> dict[str, float | None]:
        return {key: getattr(self, f"component_{key}") for key in COMPONENT_KEYS}

    @property
    def components(self) -> dict[str, dict]:
        """{component: {value, weight, points, applies}}: the score's breakdown."""
        from analytics.services.scoring import breakdown

        return breakdown(self.component_values, self.component_weights)


class SnapshotSummary(TenantOwnedModel):
    """Sums of one date's snapshots per (tier, type, status, region) segment, written when a run
    finishes: the dashboards and the 12-week trends read a few hundred of these rows instead of
    every partner's snapshot. `region` "" is the all-regions row (partners serve several regions)."""

    id = models.BigAutoField(primary_key=True)
    is_append_only_log = True  # replaced wholesale per date; never addressed in URLs

    date = models.DateField()
    tier = models.ForeignKey("partners.Tier", on_delete=models.CASCADE, null=True, blank=True, related_name="+",
                             db_index=False)
    partner_type = models.ForeignKey("partners.PartnerType", on_delete=models.CASCADE, null=True, blank=True,
                                     related_name="+", db_index=False)
    status = models.CharField(max_length=12, choices=PARTNER_STATUSES)
    region = models.CharField(max_length=8, blank=True)
    partners = models.PositiveIntegerField(default=0)
    score_sum = models.PositiveIntegerField(default=0)
    active_30 = models.PositiveIntegerField(default=0)
    at_risk = models.PositiveIntegerField(default=0)
    events_30 = models.PositiveBigIntegerField(default=0)
    content_30 = models.PositiveBigIntegerField(default=0)
    courses_90 = models.PositiveBigIntegerField(default=0)
    certifications = models.PositiveBigIntegerField(default=0)
    onboarding_sum = models.FloatField(default=0)
    onboarding_count = models.PositiveIntegerField(default=0)
    open_pipeline = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    won_revenue_30 = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    won_revenue_90 = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    won_revenue_12m = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    mdf_allocated = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    mdf_used = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    cohort_30 = models.PositiveIntegerField(default=0)      # partners who joined in the period
    cohort_90 = models.PositiveIntegerField(default=0)
    cohort_365 = models.PositiveIntegerField(default=0)
    activated_30 = models.PositiveIntegerField(default=0)   # … with an approved deal within 90 days
    activated_90 = models.PositiveIntegerField(default=0)
    activated_365 = models.PositiveIntegerField(default=0)
    decided_30 = models.PositiveIntegerField(default=0)
    decided_90 = models.PositiveIntegerField(default=0)
    decided_365 = models.PositiveIntegerField(default=0)
    decided_in_sla_30 = models.PositiveIntegerField(default=0)
    decided_in_sla_90 = models.PositiveIntegerField(default=0)
    decided_in_sla_365 = models.PositiveIntegerField(default=0)
    decision_hours_30 = models.FloatField(default=0)
    decision_hours_90 = models.FloatField(default=0)
    decision_hours_365 = models.FloatField(default=0)
    sourced_won_30 = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    sourced_won_90 = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    sourced_won_365 = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    influenced_won_30 = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    influenced_won_90 = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    influenced_won_365 = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    fulfilled_won_30 = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    fulfilled_won_90 = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    fulfilled_won_365 = models.DecimalField(max_digits=20, decimal_places=2, default=0)
    sourced_deals_30 = models.PositiveIntegerField(default=0)
    sourced_deals_90 = models.PositiveIntegerField(default=0)
    sourced_deals_365 = models.PositiveIntegerField(default=0)
    influenced_deals_30 = models.PositiveIntegerField(default=0)
    influenced_deals_90 = models.PositiveIntegerField(default=0)
    influenced_deals_365 = models.PositiveIntegerField(default=0)
    fulfilled_deals_30 = models.PositiveIntegerField(default=0)
    fulfilled_deals_90 = models.PositiveIntegerField(default=0)
    fulfilled_deals_365 = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("snapshot summary")
        verbose_name_plural = _("snapshot summaries")
        indexes = [models.Index(fields=["tenant", "date", "region"], name="analytics_summary_date")]

    def __str__(self) -> str:
        return f"{self.date} {self.status} {self.region or '*'}: {self.partners}"
