from django.urls import path

from analytics.views import dashboard, leads, ops, partners, scorecard, tiers

app_name = "analytics"

urlpatterns = [
    # Executives and staff
    path("dashboard/", dashboard.dashboard_view, name="dashboard"),
    path("dashboard/export.csv", dashboard.dashboard_export, name="dashboard_export"),
    path("leads/", leads.leads_view, name="leads"),
    # Channel managers
    path("partners/", partners.my_partners_view, name="my_partners"),
    path("partners/export.csv", partners.my_partners_export, name="my_partners_export"),
    path("partners/<uuid:partner_id>/", partners.partner_360_view, name="partner_360"),
    path("tiers/proposals/", tiers.proposals, name="tier_proposals"),
    path("tiers/proposals/<uuid:partner_id>/apply", tiers.proposal_apply_view, name="tier_proposal_apply"),
    path("tiers/what-if/", tiers.whatif, name="whatif"),
    # Operations
    path("operations/", ops.operations, name="operations"),
    path("operations/progress", ops.run_progress, name="run_progress"),
    path("operations/run", ops.run_now, name="run_now"),
    path("operations/runs/<uuid:health_run_id>/", ops.run_detail, name="run_detail"),
    path("settings/", ops.settings_view, name="settings"),
    path("platform/runs/", ops.platform_runs, name="platform_runs"),
    # Partners
    path("scorecard/", scorecard.scorecard_view, name="scorecard"),
]
