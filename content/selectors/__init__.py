"""Reads of the content app. Every partner-facing read goes through `audience` first."""

from content.selectors.audience import (  # noqa: F401
    asset_for,
    assets_visible_to,
    course_for,
    courses_visible_to,
)
