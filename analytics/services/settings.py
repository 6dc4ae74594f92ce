"""The tenant's analytics settings row and the run's timing rule (a leaf: imports only models).

Runs, summaries, selectors, views and the demo all read these; keeping them out of `runs` (the
orchestration, which imports most analytics modules) keeps the imports pointing one way."""

from __future__ import annotations

from datetime import timedelta

from analytics.models import AnalyticsSettings

# A running run with no heartbeat for this long lost its worker: the next start resumes it, and
# "Run now" no longer treats it as in progress.
STALE_AFTER = timedelta(minutes=15)


def analytics_settings(tenant) -> AnalyticsSettings:
    """The tenant's settings row (created with the defaults on first use)."""
    settings, _created = AnalyticsSettings.objects.get_or_create(tenant=tenant)
    return settings
