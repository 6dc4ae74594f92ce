"""The routing rule editor: saving, deleting and reordering rules (writes, audited), and the reads
the editor's pages need (the ordered list with last month's routing counts, conditions in words,
and the dry run that compares a proposed rule set with the saved one without writing anything).

The reads are kept beside the writes because only the rule editor uses them; they take the viewer
like every selector and never write."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from leads.choices import INDUSTRIES, SIZES
from leads.models import Lead, LeadAssignment, LeadRule
from leads.routing.engine import Decision
from leads.services.routing import RULE_ORDER, active_rules
from partners.models import Partner
from prm.audit.services import audit_log
from prm.tenancy.viewer import Viewer

# The fields a rule's audit row records (before → after).
AUDITED = ["name", "position", "is_active", "countries", "regions", "industries", "sizes", "product", "partner_type",
           "min_tier", "specialty", "match_territory", "strategy", "partner"]
POSITION_STEP = 10
MAX_POSITION = 1_000_000
ROUTED_DAYS = 30
SAMPLE_SIZE = 50
# Partner conditions the named-partner strategy does not look at (it sends every matching lead to
# that one partner), so a rule that sets them would promise a filter that never applies.
PARTNER_CONDITIONS = ("partner_type", "min_tier", "specialty")


def ordered(qs: models.QuerySet) -> models.QuerySet:
    """The order routing tries rules in (leads.services.routing.active_rules)."""
    return qs.order_by(*RULE_ORDER)


def _snapshot(rule: LeadRule) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for name in AUDITED:
        value = getattr(rule, name)
        if isinstance(value, models.Model):
            value = str(value)
        out[name] = list(value) if isinstance(value, list) else value
    return out


# --- Writes ------------------------------------------------------------------------------------


def rule_validate(*, tenant, rule: LeadRule) -> None:
    """Everything a rule must satisfy before it is saved or tried in a dry run; raises
    ValidationError naming the fields. Refuses another tenant's objects without a query."""
    if rule.tenant_id is None:
        rule.tenant = tenant
    if rule.tenant_id != tenant.pk:
        raise ValidationError(_("Unknown object."))
    errors: dict[str, list[str]] = {}
    for name in ("product", "partner_type", "min_tier", "partner"):
        related = getattr(rule, name) if getattr(rule, f"{name}_id") else None
        if related is not None and related.tenant_id != tenant.pk:
            errors.setdefault(name, []).append(_("Unknown object."))
    if errors:  # nothing else is checked against another tenant's rows
        raise ValidationError(errors)
    try:
        rule.full_clean(exclude=["tenant"], validate_unique=False)
    except ValidationError as exc:
        for name, messages in exc.message_dict.items():
            errors.setdefault(name, []).extend(messages)
    if rule.position is not None and rule.position > MAX_POSITION:
        errors.setdefault("position", []).append(
            _("Enter an order of at most %(max)d.") % {"max": MAX_POSITION})
    if rule.strategy == LeadRule.Strategy.NAMED:
        for name in PARTNER_CONDITIONS:
            if getattr(rule, name if name == "specialty" else f"{name}_id"):
                errors.setdefault(name, []).append(
                    _("A rule for a named partner sends every matching lead to that partner; leave the partner "
                      "conditions empty."))
        if rule.partner_id and "partner" not in errors and rule.partner.status != Partner.Status.ACTIVE:
            saved_partner = (LeadRule.objects.filter(tenant=tenant, pk=rule.pk).values_list("partner_id", flat=True)
                             .first() if not rule._state.adding else None)
            if saved_partner != rule.partner_id:  # a rule whose partner left later can still be edited
                errors.setdefault("partner", []).append(
                    _("%(partner)s is not an active partner (%(status)s), so routing would skip it.") % {
                        "partner": rule.partner.name, "status": rule.partner.get_status_display().lower()})
    name = (rule.name or "").strip()
    if name and "name" not in errors and LeadRule.objects.filter(tenant=tenant, name__iexact=name).exclude(
            pk=rule.pk).exists():
        errors.setdefault("name", []).append(_("Another rule already has this name."))
    if errors:
        raise ValidationError(errors)


def rule_save(*, tenant, rule: LeadRule, actor, request=None) -> LeadRule:
    """Create or change a routing rule (validated; the change is audited field by field)."""
    creating = rule._state.adding
    rule_validate(tenant=tenant, rule=rule)
    with transaction.atomic():
        if creating:
            before = None
            rule.save(force_insert=True)
        else:
            saved = LeadRule.objects.select_for_update(of=("self",)).select_related(
                "product", "partner_type", "min_tier", "partner").filter(tenant=tenant, pk=rule.pk).first()
            if saved is None:  # deleted meanwhile
                raise ValidationError(_("This rule no longer exists; reload the page."))
            before = _snapshot(saved)
            rule.save()
        after = _snapshot(rule)
        if creating:
            audit_log(tenant=tenant, actor=actor, action="lead.rule_create", obj=rule, request=request,
                      changes={"after": after})
        else:
            changed = [k for k in AUDITED if before[k] != after[k]]
            if changed:
                audit_log(tenant=tenant, actor=actor, action="lead.rule_update", obj=rule, request=request,
                          changes={"before": {k: before[k] for k in changed}, "after": {k: after[k] for k in changed},
                                   "changed": changed})
    return rule


def rule_delete(*, tenant, rule: LeadRule, actor, request=None) -> None:
    """Delete a rule. Offers it made keep its name (LeadAssignment.rule_name), so their
    explanations still read right."""
    if rule.tenant_id != tenant.pk:
        raise ValidationError(_("Unknown object."))
    with transaction.atomic():
        snapshot = _snapshot(rule)
        audit_log(tenant=tenant, actor=actor, action="lead.rule_delete", obj=rule, request=request,
                  changes={"before": snapshot})
        LeadRule.objects.filter(tenant=tenant, pk=rule.pk).delete()


def rule_move(*, tenant, rule: LeadRule, direction: str, actor, request=None) -> bool:
    """Move a rule one place up or down in the routing order; False when it is already at that end.

    Swaps its order with its neighbour's; rules sharing one order number are first numbered in
    steps of ten (keeping the order routing already used), so the swap always changes the order."""
    if direction not in ("up", "down"):
        raise ValidationError(_("Choose up or down."))
    if rule.tenant_id != tenant.pk:
        raise ValidationError(_("Unknown object."))
    with transaction.atomic():
        rules = list(ordered(LeadRule.objects.select_for_update().filter(tenant=tenant)))
        index = next((i for i, r in enumerate(rules) if r.pk == rule.pk), None)
        if index is None:
            raise ValidationError(_("This rule no longer exists; reload the page."))
        other = index - 1 if direction == "up" else index + 1
        if not 0 <= other < len(rules):
            return False
        before = {r.pk: r.position for r in rules}
        if len({r.position for r in rules}) != len(rules):
            for i, r in enumerate(rules):
                r.position = (i + 1) * POSITION_STEP
        rules[index].position, rules[other].position = rules[other].position, rules[index].position
        changed = [r for r in rules if r.position != before[r.pk]]
        LeadRule.objects.bulk_update(changed, ["position"])
        moved = rules[index]
        audit_log(tenant=tenant, actor=actor, action="lead.rule_move", obj=moved, request=request,
                  changes={"direction": direction, "position": {"from": before[moved.pk], "to": moved.position},
                           "swapped_with": rules[other].name})
    rule.position = moved.position
    return True


def next_position(tenant) -> int:
    """The order number for a new rule: after the last one."""
    last = LeadRule.objects.filter(tenant=tenant).aggregate(m=models.Max("position"))["m"]
    return POSITION_STEP if last is None else min(last + POSITION_STEP, MAX_POSITION)


# --- Reads for the editor ----------------------------------------------------------------------


def rule_list(viewer: Viewer, *, now: datetime | None = None) -> list[LeadRule]:
    """The tenant's rules in routing order with `routed_30d`: leads each one offered to a partner
    over the last 30 days. One query however many rules."""
    since = (now or timezone.now()) - timedelta(days=ROUTED_DAYS)
    routed = (LeadAssignment.objects.filter(tenant=viewer.tenant, rule=OuterRef("pk"), partner__isnull=False,
                                            created_at__gte=since)
              .order_by().values("rule").annotate(n=Count("lead", distinct=True)).values("n"))
    qs = (LeadRule.objects.filter(tenant=viewer.tenant)
          .select_related("product", "partner_type", "min_tier", "partner")
          .annotate(routed_30d=Coalesce(Subquery(routed, output_field=models.IntegerField()), Value(0))))
    return list(ordered(qs))


def rule_for(viewer: Viewer, rule_id) -> LeadRule:
    """One of the tenant's rules, or Http404 (another tenant's looks missing)."""
    return viewer.get(LeadRule.objects.select_related("product", "partner_type", "min_tier", "partner"), rule_id,
                      unowned=True)


def _either(items: list[str]) -> str:
    if len(items) == 1:
        return items[0]
    return _("%(first)s or %(last)s") % {"first": ", ".join(items[:-1]), "last": items[-1]}


def rule_conditions(rule: LeadRule) -> list[str]:
    """The rule's conditions in words, e.g. ["Country is DE or AT", "Product Security Suite",
    "Tier Gold or higher"]; empty for a rule that takes every lead and any partner."""
    parts = []
    if rule.countries:
        parts.append(_("Country is %(list)s") % {"list": _either(list(rule.countries))})
    if rule.regions:
        parts.append(_("Region is %(list)s") % {"list": _either(list(rule.regions))})
    if rule.industries:
        labels = dict(INDUSTRIES)
        parts.append(_("Industry is %(list)s") % {"list": _either([str(labels.get(i, i)) for i in rule.industries])})
    if rule.sizes:
        labels = dict(SIZES)
        parts.append(_("Company size %(list)s") % {"list": _either([str(labels.get(s, s)) for s in rule.sizes])})
    if rule.product_id:
        parts.append(_("Product %(product)s") % {"product": rule.product.name})
    if rule.partner_type_id:
        parts.append(_("Partner type %(type)s") % {"type": rule.partner_type.name})
    if rule.min_tier_id:
        parts.append(_("Tier %(tier)s or higher") % {"tier": rule.min_tier.name})
    if rule.specialty:
        parts.append(_("Specialty %(specialty)s") % {"specialty": rule.specialty})
    if rule.strategy != LeadRule.Strategy.NAMED and not rule.match_territory:
        parts.append(_("Partners in any territory"))
    return parts


class Sample(models.TextChoices):
    RECENT = "recent", gettext_lazy("The 50 most recent leads (not converted)")
    OPEN = "open", gettext_lazy("The 50 most recent open leads")
    UNASSIGNED = "unassigned", gettext_lazy("The 50 most recent unassigned leads")


def dry_run_sample(viewer: Viewer, sample: str) -> list[Lead]:
    """The leads a dry run routes, oldest first as routing takes them.

    Unassigned leads are tried as routing would try them again (partners already offered one are
    skipped); the others as if they arrived now, so a lead a partner holds can go to it again."""
    from leads.selectors import LeadFilters, leads_visible_to

    sample = sample if sample in Sample.values else Sample.RECENT
    status = "" if sample == Sample.RECENT else sample
    qs = leads_visible_to(viewer, LeadFilters(status=status))
    if sample == Sample.RECENT:
        # A converted lead's own deal registration would hold it for its owner in the trial.
        qs = qs.exclude(status=Lead.Status.CONVERTED)
    leads = list(qs[:SAMPLE_SIZE])
    leads.reverse()
    if sample != Sample.UNASSIGNED:
        for lead in leads:
            # Only dry_run reads this copy: "not saved yet" makes it ignore the lead's past offers.
            lead._state.adding = True
    return leads


def proposed_rules(tenant, candidate: LeadRule) -> list[LeadRule]:
    """The tenant's active rules with `candidate` in place of its saved version, in routing order."""
    saved = [r for r in active_rules(tenant) if r.pk != candidate.pk]
    rules = saved + ([candidate] if candidate.is_active else [])
    rules.sort(key=lambda r: (r.position, r.name, str(r.pk)))
    return rules


@dataclass
class DryRunRow:
    lead: Lead
    decision: Decision
    baseline_name: str
    changed: bool

    @property
    def rule_name(self) -> str:
        return self.decision.rule.name if self.decision.rule is not None else ""


@dataclass
class Share:
    label: str
    count: int
    share: float
    highlight: bool = False


@dataclass
class DryRunReport:
    rows: list[DryRunRow]
    by_partner: list[Share]
    by_rule: list[Share]
    changed: int
    candidate: LeadRule | None = None
    compared_with_saved: bool = False
    sample: str = Sample.RECENT
    notes: list[str] = field(default_factory=list)

    @property
    def total(self) -> int:
        return len(self.rows)


_OUTCOMES = {
    "customer_conflict": gettext_lazy("Held: the customer has an active registration"),
    "unassigned": gettext_lazy("A rule matched, but no partner could take it"),
    "no_rule": gettext_lazy("No rule matched"),
    "no_rules": gettext_lazy("No active rules"),
}


def _outcome(decision: Decision | None) -> str:
    """The by-rule summary's line for a lead no rule routed."""
    return str(_OUTCOMES.get(decision.reason if decision is not None else "", _OUTCOMES["no_rule"]))


def _shares(counter: Counter, total: int, *, last: set[str], highlight: str = "") -> list[Share]:
    """Largest first; the lines for leads nobody gets come last."""
    last = {str(label) for label in last}
    return [Share(label, n, n / total if total else 0.0, label == highlight)
            for label, n in sorted(counter.items(), key=lambda kv: (kv[0] in last, -kv[1], kv[0]))]


def dry_run_report(viewer: Viewer, *, sample: str, candidate: LeadRule | None = None,
                   now: datetime | None = None) -> DryRunReport:
    """Who would get the sample's leads under the saved rules, or with `candidate` (an unsaved or
    edited rule) in place, compared with the saved rules. Nothing is written."""
    from leads.selectors import dry_run

    tenant = viewer.tenant
    now = now or timezone.now()
    leads = dry_run_sample(viewer, sample)
    saved_rules = active_rules(tenant)
    notes = []
    if candidate is None:
        decisions = dry_run(tenant, saved_rules, leads, now=now)
        # Compared with where each lead is now.
        baseline = [(lead.partner_id, lead.partner.name if lead.partner_id else "") for lead in leads]
    else:
        decisions = dry_run(tenant, proposed_rules(tenant, candidate), leads, now=now)
        before = dry_run(tenant, saved_rules, leads, now=now)
        baseline = [(d.partner_id, d.partner_name) for d in before]
        if not candidate.is_active:
            notes.append(_("This rule is not active, so it routes nothing; the result shows the other rules."))
    rows = [DryRunRow(lead, d, base_name, d.partner_id != base_id)
            for lead, d, (base_id, base_name) in zip(leads, decisions, baseline, strict=True)]
    rows.reverse()  # newest first, as the lead list shows them
    nobody = _("Nobody: stays with the lead owner")
    by_partner = Counter(r.decision.partner_name if r.decision.assigned else nobody for r in rows)
    by_rule = Counter(r.rule_name or _outcome(r.decision) for r in rows)
    return DryRunReport(
        rows=rows, by_partner=_shares(by_partner, len(rows), last={nobody}),
        by_rule=_shares(by_rule, len(rows), last=set(_OUTCOMES.values()) | {_outcome(None)},
                        highlight=candidate.name if candidate is not None else ""),
        changed=sum(r.changed for r in rows), candidate=candidate, compared_with_saved=candidate is not None,
        sample=sample if sample in Sample.values else Sample.RECENT, notes=notes)
