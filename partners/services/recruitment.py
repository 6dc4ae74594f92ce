"""Recruitment: public applications, fit scoring, and the channel managers' decisions."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from partners.models import Partner, PartnerApplication, PartnerType, Tier, TierChange, hash_token
from partners.services.fit import Applicant, fit_score, tenant_profile
from prm.accounts.services import invitation_create
from prm.audit.services import audit_log, client_ip
from prm.domains import registrable_domain
from prm.notifications.services import notify, send_tenant_email
from prm.tenancy.models import Membership
from prm.tenancy.resolution import tenant_url
from prm.tenancy.roles import MANAGER_ROLES, Role


class DuplicateApplication(ValidationError):
    """The company already applied (open application) or is already a partner."""


def duplicate_of(*, tenant, domain: str) -> str | None:
    """'partner' or 'application' when `domain` is taken in this tenant, else None."""
    if Partner.objects.filter(tenant=tenant, domain=domain).exists():
        return "partner"
    if PartnerApplication.objects.filter(tenant=tenant, domain=domain).open().exists():
        return "application"
    return None


def _duplicate_error(kind: str) -> DuplicateApplication:
    if kind == "partner":
        message = _("Your company is already part of our partner program. Ask your colleagues for an invitation, or contact us if you need help.")
    else:
        message = _("We already have an application from your company and are reviewing it. We will get back to you by email.")
    return DuplicateApplication(message, code="duplicate")


def entry_tier(tenant) -> Tier | None:
    return Tier.objects.filter(tenant=tenant).order_by("rank").first()


def score_application(tenant, application: PartnerApplication) -> None:
    profile, criteria = tenant_profile(tenant)
    applicant = Applicant(
        regions=list(application.regions or []), specialties=list(application.specialties or []),
        employees=application.employees, partner_type_id=application.partner_type_id,
        revenue_band=application.revenue_band,
    )
    application.fit_score, application.fit_reasons = fit_score(applicant, profile=profile, criteria=criteria)


def _managers(tenant):
    from django.contrib.auth import get_user_model

    ids = Membership.objects.filter(tenant=tenant, role__in=list(MANAGER_ROLES), is_active=True).values("user_id")
    return list(get_user_model().objects.filter(pk__in=ids, is_active=True))


def application_submit(*, tenant, data: dict, request=None) -> PartnerApplication:
    """Create an application from the public form's cleaned data; refuses duplicates politely."""
    partner_type = data.get("partner_type")
    if partner_type is not None and partner_type.tenant_id != tenant.pk:
        raise ValidationError({"partner_type": _("Choose one of the listed partner types.")})
    domain = registrable_domain(data["website"])
    if not domain:
        raise ValidationError({"website": _("Enter your company's website address, e.g. https://www.example.com.")})
    duplicate = duplicate_of(tenant=tenant, domain=domain)
    if duplicate:
        raise _duplicate_error(duplicate)
    application = PartnerApplication(
        tenant=tenant, company=data["company"].strip(), website=data["website"], domain=domain,
        country=data["country"], regions=data["regions"], specialties=data.get("specialties", []),
        partner_type=partner_type, employees=data["employees"], revenue_band=data["revenue_band"],
        contact_name=data["contact_name"].strip(), contact_email=data["contact_email"].strip().lower(),
        message=data.get("message", "").strip(), submitted_ip=client_ip(request),
    )
    score_application(tenant, application)
    application.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            application.save(force_insert=True)
            audit_log(tenant=tenant, actor=None, action="application.submit", obj=application,
                      changes={"fit_score": application.fit_score}, request=request)
            send_tenant_email(
                tenant=tenant, to=application.contact_email,
                subject=_("We received your application to the %(tenant)s partner program") % {"tenant": tenant.name},
                template="partners/email/application_received.txt", context={"application": application},
            )
            notify(
                tenant=tenant, users=_managers(tenant), email=False,
                title=_("New partner application: %(company)s (fit %(score)s)") % {
                    "company": application.company, "score": application.fit_score},
                url=reverse("partners:application_detail", args=[application.pk]),
            )
    except IntegrityError as exc:
        # Another submission for the same domain won the race (unique open application per domain).
        raise _duplicate_error("application") from exc
    return application


def _lock_open(application: PartnerApplication) -> PartnerApplication:
    locked = PartnerApplication.objects.select_for_update().get(pk=application.pk)
    if not locked.is_open:
        raise ValidationError(_("This application has already been decided."))
    return locked


def application_approve(
    *, tenant, application: PartnerApplication, actor, partner_type: PartnerType | None = None,
    tier: Tier | None = None, note: str = "", request=None,
) -> Partner:
    """Create the partner (onboarding), invite the contact as partner admin, start onboarding."""
    from partners.services.onboarding import onboarding_start

    with transaction.atomic():
        app = _lock_open(application)
        partner_type = partner_type or app.partner_type
        if partner_type is None:
            raise ValidationError({"partner_type": _("Choose the partner type for this partner.")})
        tier = tier or entry_tier(tenant)
        for obj, field in ((partner_type, "partner_type"), (tier, "tier")):
            if obj is not None and obj.tenant_id != tenant.pk:
                raise ValidationError({field: _("Unknown choice.")})
        if Partner.objects.filter(tenant=tenant, domain=app.domain).exists():
            raise ValidationError(_("A partner with the domain %(domain)s already exists.") % {"domain": app.domain})
        now = timezone.now()
        partner = Partner(
            tenant=tenant, name=app.company, website=app.website, domain=app.domain, country=app.country,
            partner_type=partner_type, tier=tier, status=Partner.Status.ONBOARDING, regions=app.regions,
            specialties=app.specialties, employees=app.employees, revenue_band=app.revenue_band,
            contact_name=app.contact_name, contact_email=app.contact_email, owner=actor,
        )
        partner.save(force_insert=True)
        if tier is not None:
            TierChange.objects.create(
                tenant=tenant, partner=partner, from_tier=None, to_tier=tier, reason=_("Joined the program"),
                source=TierChange.Source.ONBOARDING, status=TierChange.Status.APPLIED, effective_from=now,
                applied_at=now, changed_by=actor,
            )
        app.status = PartnerApplication.Status.APPROVED
        app.partner = partner
        app.reviewed_by, app.reviewed_at = actor, now
        app.decision_reason = note.strip()
        app.response_token_hash = ""
        app.save()
        _invitation, url = invitation_create(
            tenant=tenant, email=app.contact_email, role=Role.PARTNER_ADMIN, partner=partner,
            invited_by=actor, request=request,
        )
        onboarding_start(tenant=tenant, partner=partner)
        send_tenant_email(
            tenant=tenant, to=app.contact_email,
            subject=_("Welcome to the %(tenant)s partner program") % {"tenant": tenant.name},
            template="partners/email/application_approved.txt",
            context={"application": app, "url": url, "note": app.decision_reason},
        )
        audit_log(tenant=tenant, actor=actor, action="application.approve", obj=app,
                  changes={"partner": str(partner.pk), "partner_type": partner_type.code,
                           "tier": tier.name if tier else None}, request=request)
    return partner


def application_decline(*, tenant, application: PartnerApplication, actor, reason: str, request=None) -> PartnerApplication:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("Give the applicant a reason.")})
    with transaction.atomic():
        app = _lock_open(application)
        app.status = PartnerApplication.Status.DECLINED
        app.decision_reason = reason
        app.reviewed_by, app.reviewed_at = actor, timezone.now()
        app.response_token_hash = ""
        app.save()
        send_tenant_email(
            tenant=tenant, to=app.contact_email,
            subject=_("Your application to the %(tenant)s partner program") % {"tenant": tenant.name},
            template="partners/email/application_declined.txt", context={"application": app},
        )
        audit_log(tenant=tenant, actor=actor, action="application.decline", obj=app,
                  changes={"reason": reason}, request=request)
    return app


def application_request_info(
    *, tenant, application: PartnerApplication, actor, question: str, request=None
) -> PartnerApplication:
    """Ask the applicant a question; the email carries a single-purpose link to answer it."""
    question = (question or "").strip()
    if not question:
        raise ValidationError({"question": _("Write what you would like to know.")})
    with transaction.atomic():
        app = _lock_open(application)
        token = app.new_response_token()
        app.status = PartnerApplication.Status.INFO_REQUESTED
        app.info_request = question
        app.reviewed_by, app.reviewed_at = actor, timezone.now()
        app.save()
        url = tenant_url(tenant, reverse("partners:application_respond", args=[token]), request)
        send_tenant_email(
            tenant=tenant, to=app.contact_email,
            subject=_("A question about your application to %(tenant)s") % {"tenant": tenant.name},
            template="partners/email/application_info_request.txt",
            context={"application": app, "url": url, "question": question},
        )
        audit_log(tenant=tenant, actor=actor, action="application.request_info", obj=app,
                  changes={"question": question}, request=request)
    return app


def application_for_token(*, tenant, token: str) -> PartnerApplication | None:
    if not token:
        return None
    return (PartnerApplication.objects.filter(tenant=tenant, response_token_hash=hash_token(token),
                                              status=PartnerApplication.Status.INFO_REQUESTED).first())


def application_respond(*, tenant, token: str, answer: str, request=None) -> PartnerApplication:
    """The applicant answers a request for information; the application returns to the queue."""
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("Please write your answer.")})
    with transaction.atomic():
        app = application_for_token(tenant=tenant, token=token)
        if app is None:
            raise ValidationError(_("This link is no longer valid."))
        app = PartnerApplication.objects.select_for_update().get(pk=app.pk)
        stamp = timezone.now().strftime("%Y-%m-%d %H:%M")
        app.info_response = (f"{app.info_response}\n\n" if app.info_response else "") + f"[{stamp}] {answer}"
        app.status = PartnerApplication.Status.NEW
        app.response_token_hash = ""  # one answer per question
        app.save()
        audit_log(tenant=tenant, actor=None, action="application.respond", obj=app, request=request)
        send_tenant_email(
            tenant=tenant, to=app.contact_email,
            subject=_("Thank you for your answer") ,
            template="partners/email/application_answer_received.txt", context={"application": app},
        )
        if app.reviewed_by_id:
            notify(tenant=tenant, users=[app.reviewed_by], email=True,
                   title=_("%(company)s answered your question") % {"company": app.company},
                   body=answer[:500], url=reverse("partners:application_detail", args=[app.pk]))
    return app
