from django.urls import path

from deals import views

app_name = "deals"

urlpatterns = [
    path("", views.deal_list, name="list"),
    path("export.csv", views.deal_export, name="export"),
    path("register/", views.register, name="register"),
    path("refer/", views.refer, name="refer"),
    path("register/check/", views.register_check, name="register_check"),
    path("register/companies/", views.register_companies, name="register_companies"),
    path("review/", views.queue, name="queue"),
    path("review/bulk/", views.bulk, name="bulk"),
    path("house-accounts/", views.house_accounts, name="house_accounts"),
    path("house-accounts/<uuid:house_account_id>/delete/", views.house_account_delete, name="house_account_delete"),
    path("<uuid:deal_id>/", views.detail, name="detail"),
    path("<uuid:deal_id>/update/", views.update, name="update"),
    path("<uuid:deal_id>/outcome/", views.outcome, name="outcome"),
    path("<uuid:deal_id>/revert-won/", views.revert_won, name="revert_won"),
    path("<uuid:deal_id>/respond/", views.respond, name="respond"),
    path("<uuid:deal_id>/extension/", views.extension, name="extension"),
    path("<uuid:deal_id>/extension/decide/", views.extension_decide, name="extension_decide"),
    path("<uuid:deal_id>/appeal/", views.appeal, name="appeal"),
    path("<uuid:deal_id>/appeal/decide/", views.appeal_decide, name="appeal_decide"),
    path("<uuid:deal_id>/decide/", views.decide, name="decide"),
    path("<uuid:deal_id>/partners/", views.partner_add, name="partner_add"),
    path("credits/<uuid:deal_partner_id>/remove/", views.partner_remove, name="partner_remove"),
]
