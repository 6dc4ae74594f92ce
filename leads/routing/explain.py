"""Routing explanations in words, in the reader's language (decisions store a code and figures)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import ngettext


def _percent(value) -> str:
    return f"{float(value or 0) * 100:.0f} %"


def _tried(entry: dict) -> str:
    why, rule, n = entry.get("why"), entry.get("rule", ""), entry.get("n", 0)
    texts = {
        "no_territory": _("rule “%(rule)s” needs the lead's country or region, and the lead has neither"),
        "no_eligible": _("no active partner meets rule “%(rule)s” in the lead's territory"),
        "named_inactive": _("the partner named by rule “%(rule)s” is not active"),
        "all_tried": ngettext("the %(n)d partner eligible under rule “%(rule)s” was already offered this lead",
                              "all %(n)d partners eligible under rule “%(rule)s” were already offered this lead", n),
        "at_capacity": ngettext("the %(n)d partner eligible under rule “%(rule)s” is at its lead capacity",
                                "all %(n)d partners eligible under rule “%(rule)s” are at their lead capacity", n),
    }
    return texts.get(why, why or "") % {"rule": rule, "n": n}


def _match(m: dict) -> str:
    if m.get("source") == "house_account":
        return _("the customer is the house account %(name)s") % m
    from deals.models import DealRegistration

    status = m.get("status", "")
    label = DealRegistration.Status(status).label if status in DealRegistration.Status.values else status
    return _("%(partner)s has a registration for %(name)s (%(status)s)") % {**m, "status": str(label).lower()}


def explain(reason: str, data: dict) -> str:
    d = data or {}
    if reason == "named_partner":
        return _("Rule “%(rule)s” sends these leads to %(partner)s.") % d
    if reason == "round_robin":
        if d.get("last_offer") is None:
            return _("Rule “%(rule)s” takes turns: %(partner)s had not been offered a lead yet.") % d
        return _("Rule “%(rule)s” takes turns: %(partner)s had waited longest since its last lead "
                 "(%(available)d partners with capacity).") % d
    if reason == "fairness_floor":
        return _("Fairness floor: %(partner)s had received %(received)d leads of the %(due).1f it was due over the "
                 "window, below the floor of %(floor_percent)s of an equal share, so it comes first "
                 "(rule “%(rule)s”).") % {**d, "floor_percent": _percent(d.get("floor"))}
    if reason == "performance":
        return _("Performance-weighted (rule “%(rule)s”): %(partner)s has the best win rate per lead already "
                 "received: weight %(weight_percent)s (%(won)d won of %(trials)d offers, with the program's rate as "
                 "the prior) for %(received)d leads received; %(available)d partners with capacity.") % {
            **d, "weight_percent": _percent(d.get("weight"))}
    if reason == "manual":
        return _("Assigned by %(by)s.") % {"by": d.get("by") or _("staff")} + (
            " " + _("Reason: %(reason)s") % d if d.get("reason") else "")
    if reason == "no_rules":
        return _("Unassigned: the program has no active routing rule.")
    if reason == "no_rule":
        return _("Unassigned: no routing rule matches this lead (country %(country)s, region %(region)s, "
                 "industry %(industry)s).") % {k: d.get(k) or "—" for k in ("country", "region", "industry")}
    if reason == "customer_conflict":
        return _("Held for the lead owner: %(matches)s, so it was not offered to partners.") % {
            "matches": "; ".join(_match(m) for m in d.get("matches") or []) or "—"}
    if reason == "unassigned":
        parts = [_tried(t) for t in d.get("tried") or []]
        return _("Unassigned: %(why)s.") % {"why": "; ".join(parts) or _("no partner could take it")}
    return reason
