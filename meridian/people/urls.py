from django.urls import path

from meridian.people import views

app_name = "people"

urlpatterns = [
    path("", views.person_list, name="list"),
    path("me/", views.my_record, name="me"),
    path("new/", views.person_create, name="create"),
    path("access-log/", views.access_log, name="access_log"),
    path("access-log/export/", views.access_log_export, name="access_log_export"),
    path("self-service/<str:token>/", views.self_service, name="self_service"),
    path("<int:pk>/", views.person_detail, name="detail"),
    path("<int:pk>/edit/", views.person_edit, name="edit"),
    path("<int:pk>/self-service-link/", views.link_issue, name="link_issue"),
    path("<int:pk>/self-service-link/revoke/", views.link_revoke, name="link_revoke"),
    path("<int:pk>/documents/new/", views.document_create, name="document_create"),
    path("<int:pk>/documents/<int:doc_pk>/edit/", views.document_edit, name="document_edit"),
    path("<int:pk>/documents/<int:doc_pk>/delete/", views.document_delete, name="document_delete"),
    path("<int:pk>/documents/<int:doc_pk>/reveal/", views.document_reveal, name="document_reveal"),
    path("<int:pk>/documents/<int:doc_pk>/scans/", views.scan_upload, name="scan_upload"),
    path("<int:pk>/documents/<int:doc_pk>/scans/<int:scan_pk>/", views.scan_download, name="scan_download"),
]
