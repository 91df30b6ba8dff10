from django.urls import path

from meridian.imports import views

app_name = "imports"

urlpatterns = [
    path("", views.start, name="start"),
    path("<int:pk>/", views.batch_detail, name="batch"),
    path("<int:pk>/commit/", views.batch_commit_view, name="commit"),
    path("template/<str:kind>.<str:fmt>", views.template_download, name="template"),
]
