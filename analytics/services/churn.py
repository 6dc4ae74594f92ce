"""Churn risk: a logistic regression trained on the tenant's own snapshot history, or a transparent
rule-based estimate when the history is too short.

Training set (from stored snapshots; the database joins, labels and samples them):
- features: each partner's snapshot at t0, the latest snapshot date at least `horizon` days before
  the latest date L (partners active or onboarding and not already dormant at t0);
- label: 1 when the partner's snapshot at L shows it churned, or dormant (no sign-in for `horizon`
  days and no engagement in the last 30 days).

The fitted model is stored as plain numbers on the HealthRun (means, scales, coefficients), so every
chunk scores with numpy; a partner's top reasons are the largest coefficient × standardised value.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta

import numpy as np
from django.utils.translation import gettext as _

MIN_SAMPLES = 40
MAX_SAMPLES = 20000  # larger histories are sampled: training stays about a second
SAMPLE_BLOCK = 1000  # partners per id range of the sample (sample_ranges)
OVERSAMPLE = 1.5  # partners in the ranges per sample wanted: not all of them qualify
MIN_PER_CLASS = 8
HOLDOUT_SHARE = 0.25
DORMANT_STATUSES = ("churned",)
SCORED_STATUSES = ("active", "onboarding")

# Model inputs, in order. Counts are log-transformed so one hyperactive partner does not dominate.
FEATURES = [
    "events_30", "events_prev_30", "days_since_sign_in", "deals_registered_90", "win_rate", "open_pipeline",
    "onboarding_completion", "active_certifications", "mdf_utilisation", "tenure_days",
]
LOGGED = {"events_30", "events_prev_30", "deals_registered_90", "open_pipeline", "tenure_days", "active_certifications"}
SIGN_IN_CAP = 365


def feature_matrix(rows, names: list[str] | None = None) -> np.ndarray:
    """Model inputs for many partners at once: rows are mappings with the FEATURES keys, or tuples
    whose columns are `names`. A missing sign-in counts as a year, missing onboarding as complete,
    anything else missing as 0; counts and money are log-transformed."""
    columns = []
    for name in FEATURES:
        if names is None:
            raw = [r.get(name) for r in rows]
        else:
            i = names.index(name)
            raw = [r[i] for r in rows]
        col = np.array([np.nan if v is None else float(v) for v in raw], dtype=float)
        if name == "days_since_sign_in":
            col = np.minimum(np.nan_to_num(col, nan=SIGN_IN_CAP), SIGN_IN_CAP)
        elif name == "onboarding_completion":
            col = np.nan_to_num(col, nan=1.0)
        else:
            col = np.nan_to_num(col, nan=0.0)
        if name in LOGGED:
            col = np.log1p(np.maximum(col, 0.0))
        columns.append(col)
    return np.column_stack(columns) if rows else np.zeros((0, len(FEATURES)))


def is_dormant(f: Mapping, horizon: int) -> bool:
    days = f.get("days_since_sign_in")
    return (days is None or days >= horizon) and not f.get("events_30")


@dataclass
class TrainingSet:
    X: np.ndarray
    y: np.ndarray
    t0: date | None
    latest: date | None
    partners: list = field(default_factory=list)  # the partner of each row of X, in order


def sample_ranges(tenant, limit: int | None) -> list[tuple] | None:
    """Partner-id ranges of SAMPLE_BLOCK partners each, spread evenly over the id order and holding
    about OVERSAMPLE × `limit` partners; None when the tenant has no more than that (everyone).

    Partner ids are random UUIDs, so the partners of a block are a random draw. Reading the sample
    by key range, the database touches a few thousand pages of each date instead of both dates
    whole (a snapshot row is about 1.4 kB; on the benchmark's 100,000 partners the training set
    took 0.45 s, most of a run's start)."""
    from analytics.services.chunks import chunk_bounds
    from partners.models import Partner

    if limit is None or Partner.objects.filter(tenant=tenant).count() <= OVERSAMPLE * limit:
        return None
    blocks = chunk_bounds(tenant, SAMPLE_BLOCK)
    wanted = max(1, round(OVERSAMPLE * limit / SAMPLE_BLOCK))
    step = len(blocks) / wanted
    return [blocks[int(i * step)] for i in range(min(wanted, len(blocks)))]


def training_set(tenant, *, before: date, horizon: int, limit: int | None = None, seed: int = 7) -> TrainingSet:
    """Pairs (features at t0, churned-or-dormant at L) from stored snapshots before `before`.

    One query: the database picks the partners (scored and not yet dormant at t0, with a snapshot at
    L), labels them from their snapshot at L and, with `limit`, keeps a pseudo-random sample of that
    many (from the blocks of sample_ranges, ordered by a hash of partner and seed: a model on
    20,000 partners is as good as on 100,000). Only the sample travels to Python (reading 200,000
    rows took over a second on the benchmark)."""
    from django.db.models import BooleanField, Case, CharField, Q, Value, When
    from django.db.models.functions import MD5, Cast, Concat

    from analytics.models import PartnerHealthSnapshot

    snapshots = PartnerHealthSnapshot.objects.filter(tenant=tenant, date__lt=before)
    latest = snapshots.order_by("-date").values_list("date", flat=True).first()
    empty = TrainingSet(np.zeros((0, len(FEATURES))), np.zeros(0), None, latest)
    if latest is None:
        return empty
    t0 = snapshots.filter(date__lte=latest - timedelta(days=horizon)).order_by("-date").values_list(
        "date", flat=True).first()
    if t0 is None:
        return empty
    ranges = sample_ranges(tenant, limit)
    if ranges is not None:
        in_sample = Q()
        for first, last in ranges:
            in_sample |= Q(partner_id__gte=first, partner_id__lte=last)
        snapshots = snapshots.filter(in_sample)
    # Dormant: no sign-in for `horizon` days (or never) and no engagement in the last 30 days.
    active = Q(days_since_sign_in__lt=horizon) | Q(events_30__gt=0)
    dormant = ((Q(days_since_sign_in__isnull=True) | Q(days_since_sign_in__gte=horizon))
               & (Q(events_30__isnull=True) | Q(events_30=0)))
    # Uncorrelated subqueries, so the outcomes are read once (one pass over the sample's rows at L)
    # rather than probed partner by partner.
    outcome = snapshots.filter(date=latest)
    churned = outcome.filter(Q(status__in=DORMANT_STATUSES) | dormant).values("partner_id")
    base = (snapshots.filter(active, date=t0, status__in=SCORED_STATUSES,
                             partner_id__in=outcome.values("partner_id"))
            .annotate(churned=Case(When(partner_id__in=churned, then=Value(True)), default=Value(False),
                                   output_field=BooleanField()),
                      draw=MD5(Concat(Cast("partner_id", CharField()), Value(f":{seed}"))))
            .order_by("draw"))
    if limit is not None:
        base = base[:limit]
    rows = list(base.values_list("partner_id", *FEATURES, "churned"))
    y = np.array([1 if row[-1] else 0 for row in rows], dtype=int)
    return TrainingSet(feature_matrix([row[:-1] for row in rows], ["partner_id", *FEATURES]), y, t0, latest,
                       [row[0] for row in rows])


def fit(X: np.ndarray, y: np.ndarray) -> dict:
    """Standardise, fit a logistic regression, and return its parameters as plain numbers."""
    from sklearn.linear_model import LogisticRegression

    mean = X.mean(axis=0)
    scale = X.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(max_iter=1000, class_weight="balanced")
    model.fit((X - mean) / scale, y)
    return {"mean": mean.tolist(), "scale": scale.tolist(), "coef": model.coef_[0].tolist(),
            "intercept": float(model.intercept_[0])}


def _sigmoid(logit: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-np.clip(logit, -60, 60)))


def predict(params: Mapping, X: np.ndarray) -> np.ndarray:
    z = (X - np.array(params["mean"])) / np.array(params["scale"])
    return _sigmoid(z @ np.array(params["coef"]) + params["intercept"])


def holdout_auc(X: np.ndarray, y: np.ndarray, *, seed: int = 7) -> float | None:
    """AUC of a model fitted on 75 % of the samples, measured on the other 25 % (stratified)."""
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split

    try:
        X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=HOLDOUT_SHARE, stratify=y,
                                                            random_state=seed)
    except ValueError:
        return None
    if len(set(y_train)) < 2 or len(set(y_test)) < 2:
        return None
    return float(roc_auc_score(y_test, predict(fit(X_train, y_train), X_test)))


def train(tenant, *, before: date, horizon: int) -> dict:
    """The churn model for a run: {"method": "model", ...parameters} or {"method": "rules", "note": ...}."""
    data = training_set(tenant, before=before, horizon=horizon, limit=MAX_SAMPLES)
    samples, positives = len(data.y), int(data.y.sum()) if len(data.y) else 0
    info = {"samples": samples, "positives": positives, "horizon": horizon, "features": FEATURES,
            "t0": data.t0.isoformat() if data.t0 else None, "latest": data.latest.isoformat() if data.latest else None}
    if samples < MIN_SAMPLES or positives < MIN_PER_CLASS or samples - positives < MIN_PER_CLASS:
        return {**info, "method": "rules"}
    return {**info, "method": "model", "auc": holdout_auc(data.X, data.y), **fit(data.X, data.y)}


def rules_note(model: Mapping) -> str:
    return _("Rule-based estimate: not enough history to train a model yet (%(samples)d partners with a "
             "%(horizon)d-day outcome, %(positives)d churned or dormant; a model needs %(min)d partners and "
             "%(per_class)d of each outcome).") % {
        "samples": model.get("samples", 0), "positives": model.get("positives", 0),
        "horizon": model.get("horizon", 0), "min": MIN_SAMPLES, "per_class": MIN_PER_CLASS}


# --- Scoring -------------------------------------------------------------------------------


def model_scores(model: Mapping, rows: Sequence[Mapping]) -> list[tuple[float, list[dict]]]:
    """(risk, top three reasons) per row: reasons are features whose coefficient × standardised
    value pushes the risk up, largest first."""
    if not rows:
        return []
    X = feature_matrix(rows)
    z = (X - np.array(model["mean"])) / np.array(model["scale"])
    contributions = z * np.array(model["coef"])
    risks = _sigmoid(contributions.sum(axis=1) + model["intercept"])
    out = []
    for i, row in enumerate(rows):
        order = np.argsort(-contributions[i])
        reasons = [
            {"feature": FEATURES[j], "value": _plain(row.get(FEATURES[j])), "contribution": round(float(contributions[i, j]), 3)}
            for j in order[:3] if contributions[i, j] > 0.05
        ]
        out.append((round(float(risks[i]), 4), reasons))
    return out


def _plain(value):
    if value is None or isinstance(value, (int, float, str)):
        return value
    return float(value)


# (rule, weight): the transparent estimate. Each rule that fires adds its weight and is a reason.
RULES = [
    ("no_sign_in_30", 0.30),
    ("no_sign_in_14", 0.15),
    ("no_activity_30", 0.25),
    ("activity_halved", 0.20),
    ("no_deal_90", 0.15),
    ("onboarding_stalled", 0.10),
    ("low_health", 0.15),
    ("leads_expired", 0.10),
]
# leads_expired: at least this many lead offers answered in 90 days, half or more of them left to expire.
LEADS_EXPIRED_MIN_OFFERS = 2
RULE_BASE = 0.05
RULE_CAP = 0.95


def rule_score(f: Mapping, score: int) -> tuple[float, list[dict]]:
    days = f.get("days_since_sign_in")
    fired: list[str] = []
    if days is None or days >= 30:
        fired.append("no_sign_in_30")
    elif days >= 14:
        fired.append("no_sign_in_14")
    if not f["events_30"]:
        fired.append("no_activity_30")
    elif f["events_prev_30"] and f["events_30"] * 2 <= f["events_prev_30"]:
        fired.append("activity_halved")
    if f["status"] == "active" and not f["deals_registered_90"]:
        fired.append("no_deal_90")
    if f["onboarding_completion"] is not None and f["onboarding_completion"] < 1 and f["tenure_days"] > 60:
        fired.append("onboarding_stalled")
    if score < 40:
        fired.append("low_health")
    decisions, expired = f.get("lead_decisions_90", 0), f.get("leads_expired_90", 0)
    if decisions >= LEADS_EXPIRED_MIN_OFFERS and expired * 2 >= decisions:
        fired.append("leads_expired")
    weights = dict(RULES)
    risk = min(RULE_CAP, RULE_BASE + sum(weights[r] for r in fired))
    reasons = [{"rule": r, "contribution": weights[r], "value": _rule_value(r, f, score)} for r in fired]
    reasons.sort(key=lambda r: -r["contribution"])
    return round(risk, 4), reasons[:3]


def _rule_value(rule: str, f: Mapping, score: int):
    return {
        "no_sign_in_30": f.get("days_since_sign_in"), "no_sign_in_14": f.get("days_since_sign_in"),
        "no_activity_30": 0, "activity_halved": [f["events_30"], f["events_prev_30"]],
        "no_deal_90": f.get("days_since_deal"), "onboarding_stalled": f.get("onboarding_completion"),
        "low_health": score,
        "leads_expired": [f.get("leads_expired_90", 0), f.get("lead_decisions_90", 0)],
    }[rule]
