from django.urls import path

from content.views import library, manage, training

app_name = "content"

urlpatterns = [
    # Partner library (staff see it too, as a preview)
    path("", library.library, name="library"),
    path("a/<uuid:asset_id>/", library.asset_detail, name="asset"),
    path("a/<uuid:asset_id>/download", library.asset_download, name="download"),
    # Staff management and analytics
    path("manage/", manage.manage, name="manage"),
    path("manage/new", manage.asset_create, name="asset_create"),
    path("manage/a/<uuid:asset_id>/", manage.asset_edit, name="asset_edit"),
    path("manage/a/<uuid:asset_id>/versions", manage.asset_new_version, name="asset_new_version"),
    path("manage/versions/<uuid:version_id>/download", manage.version_download, name="version_download"),
    path("manage/analytics/", manage.analytics, name="analytics"),
    # Training
    path("training/", training.training, name="training"),
    path("training/<uuid:course_id>/", training.course_detail, name="course"),
    path("training/<uuid:course_id>/modules/<uuid:module_id>/", training.module_detail, name="module"),
    path("training/<uuid:course_id>/quiz/", training.quiz, name="quiz"),
    path("training/certifications/<uuid:certification_id>/", training.certificate, name="certificate"),
]
