from django.contrib import admin
from django.urls import include, path

from prm import views as portal_views
from prm.tenancy import jobs_views, settings_views
from prm.tenancy import views as tenancy_views

handler400 = tenancy_views.handler400
handler403 = tenancy_views.handler403
handler404 = tenancy_views.handler404
handler500 = tenancy_views.handler500

urlpatterns = [
    path("", portal_views.home, name="portal_home"),
    path("healthz", tenancy_views.healthz, name="healthz"),
    path("branding/logo", tenancy_views.tenant_logo, name="tenant_logo"),
    path("branding/theme.css", tenancy_views.tenant_theme, name="tenant_theme"),
    path("staff/settings/", settings_views.tenant_settings, name="tenant_settings"),
    path("staff/jobs/", jobs_views.job_list, name="job_list"),
    path("staff/jobs/<str:job>/run", jobs_views.job_run, name="job_run"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
    path("accounts/", include("allauth.urls")),
    path("", include("prm.accounts.urls")),
    path("notifications/", include("prm.notifications.urls")),
    path("staff/audit/", include("prm.audit.urls")),
    path("partners/", include("partners.urls")),
    path("content/", include("content.urls")),
    path("deals/", include("deals.urls")),
    path("leads/", include("leads.urls")),
    path("incentives/", include("incentives.urls")),
    path("analytics/", include("analytics.urls")),
]
