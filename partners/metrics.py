"""Per-partner metrics that tier requirements need but other apps own.

`partners` cannot import `deals` or `content` (dependencies point the other way), so those apps
register providers here in their AppConfig.ready(). A provider computes one metric for many
partners at once with set-based SQL: fn(tenant, partner_ids, as_of) -> {partner_id: value}.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date

Provider = Callable[[object, list, date], dict]
_providers: dict[str, Provider] = {}

# Metric names used by tier requirements.
WON_REVENUE_12M = "won_revenue_12m"            # Decimal, base currency, trailing 12 months
ACTIVE_CERTIFICATIONS = "active_certifications"  # int
HEALTH_SCORE = "health_score"                  # int 0-100 or None


def register_metric_provider(name: str, provider: Provider) -> None:
    _providers[name] = provider


def partner_metrics(tenant, partner_ids: Iterable, as_of: date) -> dict[str, dict]:
    """{metric: {partner_id: value}} for every registered metric (missing metrics are absent)."""
    ids = list(partner_ids)
    return {name: provider(tenant, ids, as_of) for name, provider in _providers.items()}


# The partner's earned certifications for its profile pages, from the app that owns them (content):
# fn(partner) -> [{"name", "user", "when", "expires", "status"}], newest first.
CertificationList = Callable[[object], list]
_certification_lists: list[CertificationList] = []


def register_certification_list(provider: CertificationList) -> None:
    if provider not in _certification_lists:
        _certification_lists.append(provider)


def certification_list(partner) -> list | None:
    """The registered provider's list, or None when no app provides certifications."""
    return _certification_lists[0](partner) if _certification_lists else None
