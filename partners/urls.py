from django.urls import path

from partners.views import applications, imports, partner, public, staff

app_name = "partners"

urlpatterns = [
    # Public recruitment (no login)
    path("apply/", public.apply, name="apply"),
    path("apply/answer/<str:token>/", public.respond, name="application_respond"),
    # Partner self-service
    path("profile/", partner.profile, name="profile"),
    path("agreement/", partner.agreement, name="agreement"),
    path("tier/", partner.tier, name="tier"),
    path("onboarding/", partner.onboarding, name="onboarding"),
    path("<uuid:partner_id>/logo", partner.logo, name="logo"),
    # Staff: partners
    path("staff/partners/", staff.partner_list, name="staff_list"),
    path("staff/partners/export.csv", staff.partner_export, name="staff_export"),
    path("staff/partners/<uuid:partner_id>/", staff.partner_detail, name="staff_detail"),
    path("staff/partners/<uuid:partner_id>/tier", staff.partner_tier_change, name="staff_tier_change"),
    path("staff/partners/<uuid:partner_id>/tier/cancel", staff.partner_tier_cancel, name="staff_tier_cancel"),
    path("staff/partners/<uuid:partner_id>/status", staff.partner_status, name="staff_status"),
    path("staff/partners/<uuid:partner_id>/owner", staff.partner_owner, name="staff_owner"),
    path("staff/partners/<uuid:partner_id>/book", staff.partner_book, name="staff_book"),
    path("staff/partners/<uuid:partner_id>/onboarding/tick", staff.partner_step_tick, name="staff_step_tick"),
    path("staff/partners/<uuid:partner_id>/invite-contact", staff.partner_invite_contact, name="staff_invite_contact"),
    path("staff/onboarding/", staff.onboarding_overview, name="onboarding_overview"),
    # Staff: applications
    path("staff/applications/", applications.queue, name="application_queue"),
    path("staff/applications/<uuid:application_id>/", applications.detail, name="application_detail"),
    path("staff/applications/<uuid:application_id>/decide", applications.decide, name="application_decide"),
    # Staff: imports
    path("staff/imports/", imports.import_list, name="import_list"),
    path("staff/imports/template.csv", imports.import_template, name="import_template"),
    path("staff/imports/<uuid:import_id>/", imports.import_detail, name="import_detail"),
    path("staff/imports/<uuid:import_id>/start", imports.import_start, name="import_start"),
    path("staff/imports/<uuid:import_id>/errors.csv", imports.import_errors, name="import_errors"),
]
