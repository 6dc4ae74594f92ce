"""Next best actions (actions.next_actions) in SQL, with the course options they suggest."""

from __future__ import annotations

import json

from analytics.services import actions as actions_mod
from analytics.services.sql_chunk.pieces import Sql, compose, jarray, jdigits, jnum, jobject, jstr, lit, param


def course_ctes(courses: list) -> tuple[Sql, Sql]:
    """`course` (actions.course_options, in its order) and `course_type` (its partner-type limits)."""
    course = compose("SELECT * FROM unnest({ord}, {id}, {title}, {min_rank}) AS c(ord, id, title, min_rank)",
                     ord=param(list(range(len(courses))), "int[]"), id=param([c.id for c in courses], "uuid[]"),
                     title=param([c.title for c in courses], "text[]"),
                     min_rank=param([c.min_rank for c in courses], "int[]"))
    pairs = [(c.id, t) for c in courses for t in sorted(c.partner_type_ids, key=str)]
    course_type = compose("SELECT * FROM unnest({course}, {type}) AS ct(course_id, type_id)",
                          course=param([c for c, _t in pairs], "uuid[]"), type=param([t for _c, t in pairs], "uuid[]"))
    return course, course_type



def next_actions_json() -> Sql:
    """actions.next_actions over an `evaluated` row `e`: codes with parameters, in rule order, at most
    MAX_ACTIONS + 1; none for prospects, suspended and churned partners."""
    def action(code: str, *members: tuple[str, str]) -> str:
        return jobject([("code", lit(json.dumps(code))), *members])

    first_course = f"""(SELECT {action("take_course", ("course_id", jdigits("c.id")), ("title", jstr("c.title")))}
         FROM course c
         WHERE NOT c.id = ANY(e.courses_held)
           AND (c.min_rank IS NULL OR coalesce(e.tier_rank, 0) >= c.min_rank)
           AND (NOT EXISTS (SELECT 1 FROM course_type ct WHERE ct.course_id = c.id)
                OR EXISTS (SELECT 1 FROM course_type ct WHERE ct.course_id = c.id AND ct.type_id = e.partner_type_id))
         ORDER BY c.ord LIMIT 1)"""
    elements = [
        "CASE WHEN e.onboarding_completion < 1 THEN "
        f"{action('finish_onboarding', ('percent', jnum('round(e.onboarding_completion * 100)::int')))} END",
        "CASE WHEN e.next_tier_missing <> '[]'::jsonb AND e.next_tier_name <> '' THEN "
        f"{action('reach_tier', ('tier', jstr('e.next_tier_name')), ('missing', 'e.next_tier_gaps'))} END",
        "CASE WHEN e.active_certifications < cfg.actions_certifications_target OR e.next_needs_certs "
        f"THEN {first_course} END",
        "CASE WHEN e.transacts AND e.status = 'active' AND (e.days_since_deal IS NULL OR e.days_since_deal > "
        f"cfg.no_deal_days) THEN {action('no_recent_deal', ('days', jnum('e.days_since_deal')))} END",
        "CASE WHEN e.mdf_allocated > 0 AND coalesce(e.mdf_utilisation, 0) < cfg.mdf_unused_below THEN "
        f"{action('mdf_unused', ('available', jdigits('e.mdf_allocated - e.mdf_used')))} END",
        "CASE WHEN e.days_since_sign_in IS NULL OR e.days_since_sign_in >= cfg.reengage_days THEN "
        f"{action('reengage', ('days', jnum('e.days_since_sign_in')))} END",
    ]
    return Sql(f"CASE WHEN e.status IN ('active', 'onboarding') "
               f"THEN {jarray(elements, limit=actions_mod.MAX_ACTIONS + 1)}::jsonb ELSE '[]'::jsonb END", [])
