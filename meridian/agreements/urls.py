from django.urls import path

from meridian.agreements import views

app_name = "agreements"

urlpatterns = [
    path("", views.agreement_list, name="list"),
    path("export/", views.agreement_export, name="export"),
    path("new/", views.agreement_create, name="create"),
    path("<int:pk>/", views.agreement_detail, name="detail"),
    path("<int:pk>/edit/", views.agreement_edit, name="edit"),
    path("<int:pk>/move/<slug:action>/", views.agreement_transition, name="transition"),
    path("<int:pk>/renew/", views.agreement_renew, name="renew"),
    path("<int:pk>/documents/", views.document_upload, name="document_upload"),
    path("<int:pk>/documents/<int:doc_pk>/", views.document_download, name="document_download"),
]
