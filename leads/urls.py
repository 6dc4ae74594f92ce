from django.urls import path

from leads.views import detail, imports, inbox, lists, rules, staff

app_name = "leads"

urlpatterns = [
    # One list for everyone: the partner inbox for partner users, the lead list for staff.
    path("", lists.lead_list, name="list"),
    path("export.csv", staff.lead_export, name="export"),
    path("new/", staff.lead_create_view, name="create"),
    path("bulk/", staff.lead_bulk, name="bulk"),
    path("capacity/", inbox.capacity, name="capacity"),
    path("rules/", rules.rule_list, name="rules"),
    path("rules/new/", rules.rule_create, name="rule_create"),
    path("rules/dry-run/", rules.rule_dry_run, name="rule_dry_run"),
    path("rules/<uuid:lead_rule_id>/", rules.rule_edit, name="rule_edit"),
    path("rules/<uuid:lead_rule_id>/delete/", rules.rule_delete, name="rule_delete"),
    path("rules/<uuid:lead_rule_id>/move/", rules.rule_move, name="rule_move"),
    path("imports/", imports.import_list, name="import_list"),
    path("imports/template.csv", imports.import_template, name="import_template"),
    path("imports/<uuid:lead_import_id>/", imports.import_detail, name="import_detail"),
    path("imports/<uuid:lead_import_id>/start", imports.import_start, name="import_start"),
    path("imports/<uuid:lead_import_id>/errors.csv", imports.import_errors, name="import_errors"),
    path("<uuid:lead_id>/", detail.lead_detail, name="detail"),
    path("<uuid:lead_id>/edit/", staff.lead_edit, name="edit"),
    path("<uuid:lead_id>/reassign/", staff.lead_reassign_view, name="reassign"),
    path("<uuid:lead_id>/accept/", inbox.accept, name="accept"),
    path("<uuid:lead_id>/decline/", inbox.decline, name="decline"),
    path("<uuid:lead_id>/status/", inbox.status, name="status"),
    path("<uuid:lead_id>/assign/", inbox.assign_member, name="assign_member"),
    path("<uuid:lead_id>/convert/", inbox.convert, name="convert"),
]
