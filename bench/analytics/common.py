"""What the analytics benchmark's parts share: the tenant, the targets, logging."""

from __future__ import annotations

import time

SLUG = "bench"
TARGET_JOB_S = 60
TARGET_RATIO = 3
TARGET_DASHBOARD_MS = 300
KINDS = [("sign_in", 30), ("content_viewed", 30), ("content_downloaded", 12), ("course_completed", 3),
         ("certification_earned", 1), ("deal_registered", 10), ("deal_approved", 6), ("deal_won", 3),
         ("deal_lost", 2), ("mdf_requested", 1), ("profile_updated", 1), ("colleague_invited", 1)]


def log(message: str) -> None:
    print(f"[{time.strftime('%H:%M:%S')}] {message}", flush=True)
