from django.urls import path

from meridian.documents.views import documents, templates, verify

app_name = "documents"
urlpatterns = [
    path("templates/", templates.template_list, name="template_list"),
    path("templates/new/", templates.template_create, name="template_create"),
    path("templates/<int:pk>/", templates.template_detail, name="template_detail"),
    path("templates/<int:pk>/settings/", templates.template_settings, name="template_settings"),
    path("templates/<int:pk>/versions/<int:number>/", templates.template_version, name="template_version"),
    path(
        "templates/<int:pk>/versions/<int:number>/preview/",
        templates.template_preview,
        name="template_preview",
    ),
    path("generate/<slug:source>/<int:object_id>/", documents.document_generate_view, name="generate"),
    path("batch/", documents.document_batch, name="batch"),
    path("<int:pk>/", documents.document_detail, name="detail"),
    path("<int:pk>/download/", documents.document_download, name="download"),
    path("<int:pk>/revoke/", documents.document_revoke_view, name="revoke"),
    path("verify/<str:serial>/<str:token>/", verify.verify, name="verify"),
]
