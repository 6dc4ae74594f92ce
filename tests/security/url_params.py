"""What the cross-tenant crawler puts into each URL parameter.

Every path parameter of every URL pattern must be listed here (the crawler fails otherwise):
- PARAM_MODELS: the parameter holds the primary key of a tenant-owned model; the crawler fills
  it with an object of the *other* tenant (from its demo data) and expects 403/404.
- PARAM_VALUES: anything else (tokens, slugs, admin plumbing) gets this fixed value.
"""

PARAM_MODELS: dict[str, str] = {
    "invitation_id": "accounts.Invitation",
    "membership_id": "tenancy.Membership",
    "notification_id": "notifications.Notification",
    "partner_id": "partners.Partner",
    "application_id": "partners.PartnerApplication",
    "import_id": "partners.PartnerImport",
    "asset_id": "content.Asset",
    "version_id": "content.AssetVersion",
    "course_id": "content.Course",
    "module_id": "content.Module",
    "certification_id": "content.Certification",
    "deal_id": "deals.DealRegistration",
    "deal_partner_id": "deals.DealPartner",
    "house_account_id": "deals.HouseAccount",
    "mdf_fund_id": "incentives.MdfFund",
    "mdf_allocation_id": "incentives.MdfAllocation",
    "mdf_request_id": "incentives.MdfRequest",
    "mdf_claim_id": "incentives.MdfClaim",
    "mdf_proof_id": "incentives.ProofFile",
    "spif_program_id": "incentives.SpifProgram",
    "spif_accrual_id": "incentives.SpifAccrual",
    "payout_batch_id": "incentives.PayoutBatch",
    "health_run_id": "analytics.HealthRun",
    "lead_id": "leads.Lead",
    "lead_rule_id": "leads.LeadRule",
    "lead_import_id": "leads.LeadImport",
}

PARAM_VALUES: dict[str, str] = {
    "job": "deals.sla",  # a background job of prm.tenancy.jobs
    "token": "not-a-valid-token",
    "slug": "globex",
    "key": "invalid-key",
    "uidb36": "zz",
    "url": "x",
    "type": "totp",
    "id": "1",
    "object_id": "1",  # admin object URLs of platform models (tenant-owned ones get globex objects)
    "app_label": "partners",
}

# URL names reachable without signing in (everything else must redirect anonymous visitors to
# the sign-in page, or answer 404 on a host where it does not exist).
PUBLIC_URL_NAMES: set[str] = {
    "portal_home",
    "healthz",
    "tenant_logo",
    "tenant_theme",
    "set_language",
    "accounts:accept_invitation",
    "partners:apply",
    "partners:application_respond",
    "accounts:portal_hop",
    "accounts:portal_hop_finish",
    "admin:login",
    "admin:logout",
    "admin:jsi18n",
}
# allauth's own pages (sign-in, password reset, email confirmation, MFA login stage) are public by
# design; names starting with these prefixes count as public.
PUBLIC_URL_PREFIXES: tuple[str, ...] = ("account_", "mfa_authenticate", "mfa_login", "mfa_trust")
