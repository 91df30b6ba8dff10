from django.urls import path

from meridian.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.start, name="start"),
    path("<int:pk>/", views.batch_detail, name="batch"),
    path("<int:pk>/commit/", views.batch_commit_view, name="commit"),
    path("<int:pk>/read/", views.batch_reread, name="reread"),
    path("mappings/<int:pk>/delete/", views.mapping_delete_view, name="mapping-delete"),
    path("template/<str:kind>.<str:fmt>", views.template_download, name="template"),
]
