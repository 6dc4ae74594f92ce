"""Sentences for what snapshots store as codes (components, churn reasons, requirements, actions),
rendered in the reader's language at display time."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from django.urls import NoReverseMatch, reverse
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from analytics.services.actions import PARTNER_CODES


def component_label(key: str) -> str:
    return {
        "activity": _("Activity in the last 30 days"),
        "recency": _("Recent sign-in"),
        "trend": _("Activity trend"),
        "deals": _("Deals registered (90 days)"),
        "wins": _("Win rate (12 months)"),
        "onboarding": _("Onboarding completion"),
        "certifications": _("Active certifications"),
        "mdf": _("MDF utilisation"),
    }.get(key, key)


def component_sentence(key: str, snapshot) -> str:
    """The component in plain words for the partner scorecard."""
    s = snapshot
    if key == "activity":
        return ngettext("%(n)d engagement in the last 30 days.", "%(n)d engagements in the last 30 days.",
                        s.events_30) % {"n": s.events_30}
    if key == "recency":
        if s.days_since_sign_in is None:
            return _("Nobody from your organisation has signed in for over a year.")
        if s.days_since_sign_in == 0:
            return _("Someone from your organisation signed in today.")
        return ngettext("Last sign-in %(n)d day ago.", "Last sign-in %(n)d days ago.",
                        s.days_since_sign_in) % {"n": s.days_since_sign_in}
    if key == "trend":
        return _("%(now)d engagements in the last 30 days against %(before)d in the 30 days before.") % {
            "now": s.events_30, "before": s.events_prev_30}
    if key == "deals":
        return ngettext("%(n)d deal registered in the last 90 days.", "%(n)d deals registered in the last 90 days.",
                        s.deals_registered_90) % {"n": s.deals_registered_90}
    if key == "wins":
        if s.win_rate is None:
            return _("No deals closed in the last 12 months yet; not counted.")
        return _("%(won)d won of %(closed)d closed deals in the last 12 months.") % {
            "won": s.deals_won_12m, "closed": s.deals_won_12m + s.deals_lost_12m}
    if key == "onboarding":
        if s.onboarding_completion is None:
            return _("No onboarding path; not counted.")
        return _("Onboarding %(pct)d%% complete.") % {"pct": round(s.onboarding_completion * 100)}
    if key == "certifications":
        return ngettext("%(n)d active certification.", "%(n)d active certifications.",
                        s.active_certifications) % {"n": s.active_certifications}
    if key == "mdf":
        if s.mdf_utilisation is None:
            return _("No MDF allocation this period; not counted.")
        return _("%(pct)d%% of your MDF allocation used or reserved.") % {"pct": round(s.mdf_utilisation * 100)}
    return ""


def lead_penalty_label() -> str:
    return _("Expired lead offers (90 days)")


def lead_penalty_sentence(penalty: dict) -> str:
    """The deduction for expired lead offers in plain words (scoring.lead_penalty_of)."""
    return ngettext("%(expired)d of %(n)d lead offer in the last 90 days expired without an answer.",
                    "%(expired)d of %(n)d lead offers in the last 90 days expired without an answer.",
                    penalty["decisions"]) % {"expired": penalty["expired"], "n": penalty["decisions"]}


def metric_label(metric: str) -> str:
    return {
        "won_revenue_12m": _("won revenue (12 months)"),
        "active_certifications": _("active certifications"),
        "health_score": _("health score"),
    }.get(metric, metric)


def _money(value, currency: str) -> str:
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return str(value)
    return f"{currency} {number_format(amount, decimal_pos=0, use_l10n=True, force_grouping=True)}"


def requirement_text(item: dict, currency: str) -> str:
    """'won revenue (12 months): USD 12,000 of USD 50,000'."""
    metric = item.get("metric", "")
    actual, required = item.get("actual"), item.get("required")
    if metric == "won_revenue_12m":
        return _("%(label)s: %(actual)s of %(required)s") % {
            "label": metric_label(metric), "actual": _money(actual or 0, currency), "required": _money(required, currency)}
    return _("%(label)s: %(actual)s of %(required)s") % {
        "label": metric_label(metric), "actual": actual if actual is not None else _("no data"), "required": required}


def gap_text(missing: list, tier: str, currency: str) -> str:
    """'USD 12,400 more won revenue and 1 certification to reach Gold'."""
    parts = []
    for m in missing:
        gap = m.get("gap")
        if m.get("metric") == "won_revenue_12m":
            parts.append(_("%(amount)s more won revenue") % {"amount": _money(gap, currency)})
        elif m.get("metric") == "active_certifications":
            n = int(Decimal(str(gap or 0)))
            parts.append(ngettext("%(n)d certification", "%(n)d certifications", n) % {"n": n})
        elif m.get("metric") == "health_score":
            parts.append(_("%(n)s more health score points") % {"n": gap})
    if not parts:
        return ""
    joined = parts[0] if len(parts) == 1 else _("%(first)s and %(last)s") % {
        "first": ", ".join(parts[:-1]), "last": parts[-1]}
    return _("%(gap)s to reach %(tier)s") % {"gap": joined, "tier": tier}


def churn_reason(reason: dict) -> str:
    if "feature" in reason:
        feature, value = reason["feature"], reason.get("value")
        texts = {
            "events_30": _("Low activity in the last 30 days (%(v)s)"),
            "events_prev_30": _("Activity before the last 30 days was %(v)s"),
            "days_since_sign_in": _("No sign-in for %(v)s days") if value is not None else _("Nobody has signed in"),
            "deals_registered_90": _("Few deals registered in 90 days (%(v)s)"),
            "win_rate": _("Low win rate (%(v)s)"),
            "open_pipeline": _("Small open pipeline (%(v)s)"),
            "onboarding_completion": _("Onboarding incomplete (%(v)s)"),
            "active_certifications": _("Few active certifications (%(v)s)"),
            "mdf_utilisation": _("MDF barely used (%(v)s)"),
            "tenure_days": _("Time in the program (%(v)s days)"),
        }
        if feature in ("win_rate", "onboarding_completion", "mdf_utilisation") and value is not None:
            value = f"{round(float(value) * 100)}%"
        return texts.get(feature, feature) % {"v": value}
    rule, value = reason.get("rule", ""), reason.get("value")
    if rule == "leads_expired":
        expired, offers = value if isinstance(value, list) and len(value) == 2 else (value, "?")
        return _("Let %(expired)s of %(offers)s lead offers expire in 90 days") % {"expired": expired, "offers": offers}
    return {
        "no_sign_in_30": _("No sign-in for 30 days or more") if value is None else _("No sign-in for %(v)s days"),
        "no_sign_in_14": _("No sign-in for %(v)s days"),
        "no_activity_30": _("No engagement in the last 30 days"),
        "activity_halved": _("Activity halved against the previous 30 days"),
        "no_deal_90": _("No deal registered in 90 days"),
        "onboarding_stalled": _("Onboarding still incomplete after 60 days"),
        "low_health": _("Health score below 40 (%(v)s)"),
        "status_churned": _("The partner has churned"),
    }.get(rule, rule) % {"v": value}


def action_text(action: dict, *, audience: str, currency: str) -> dict | None:
    """{'text', 'url'} for one next best action, or None when it is not for this audience."""
    code = action.get("code")
    if audience == "partner" and code not in PARTNER_CODES:
        return None
    url = ""
    if code == "finish_onboarding":
        text = _("Finish onboarding (%(pct)d%% done).") % {"pct": action.get("percent", 0)}
        url = _url("partners:onboarding") if audience == "partner" else ""
    elif code == "reach_tier":
        text = gap_text(action.get("missing", []), action.get("tier", ""), currency)
        if not text:
            return None
        url = _url("partners:tier") if audience == "partner" else ""
    elif code == "take_course":
        if audience == "partner":
            text = _("Take the course “%(title)s”.") % {"title": action.get("title", "")}
            url = _url("content:course", action.get("course_id"))
        else:
            text = _("Invite to the course “%(title)s”.") % {"title": action.get("title", "")}
    elif code == "no_recent_deal":
        days = action.get("days")
        text = (_("Register a deal: none registered yet.") if days is None
                else _("No deal registered in %(n)d days.") % {"n": days})
        url = _url("deals:register") if audience == "partner" else ""
    elif code == "mdf_unused":
        text = _("MDF allocation unused: %(amount)s still available.") % {
            "amount": _money(action.get("available", 0), currency)}
        url = _url("incentives:mdf_request_new") if audience == "partner" else ""
    elif code == "reengage":
        days = action.get("days")
        text = (_("Re-engage: nobody has signed in for over a year.") if days is None
                else _("Re-engage: nobody has signed in for %(n)d days.") % {"n": days})
    else:
        return None
    return {"code": code, "text": text, "url": url}


def _url(name: str, *args) -> str:
    try:
        return reverse(name, args=[a for a in args if a is not None])
    except NoReverseMatch:
        return ""


def tier_progress(snapshot, currency: str) -> str:
    """'USD 12,400 more won revenue and 1 certification to reach Gold' from the stored requirement check."""
    if snapshot is None or snapshot.next_tier_id is None or not snapshot.next_tier_missing:
        return ""
    from analytics.services.actions import requirement_gap

    missing = [{"metric": m.get("metric"), "gap": requirement_gap(m)} for m in snapshot.next_tier_missing]
    return gap_text(missing, snapshot.next_tier.name, currency)


def event_label(kind: str) -> str:
    return {
        "sign_in": _("Signed in"), "member_joined": _("Joined the portal"), "colleague_invited": _("Invited a colleague"),
        "profile_updated": _("Updated the profile"), "agreement_accepted": _("Accepted the program agreement"),
        "onboarding_completed": _("Completed onboarding"), "content_viewed": _("Viewed content"),
        "content_downloaded": _("Downloaded content"), "course_completed": _("Completed a course"),
        "certification_earned": _("Earned a certification"), "deal_registered": _("Registered a deal"),
        "deal_approved": _("Deal approved"), "deal_won": _("Deal won"), "deal_lost": _("Deal lost"),
        "mdf_requested": _("Requested MDF"), "mdf_claimed": _("Claimed MDF"),
        "lead_accepted": _("Accepted a lead"), "lead_declined": _("Declined a lead"),
        "lead_expired": _("Let a lead expire"), "lead_converted": _("Converted a lead to a deal"),
        "lead_lost": _("Lead lost"), "lead_reassigned": _("Lead reassigned"),
    }.get(kind, kind.replace("_", " "))
