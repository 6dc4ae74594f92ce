"""Reads of the content app. Every partner-facing read goes through `audience` first."""

from content.selectors.audience import (  # noqa: F401
    asset_for_member,
    assets_visible_to,
    course_for_member,
    courses_visible_to,
)
