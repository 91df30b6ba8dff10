from django.urls import path

from meridian.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("<slug:key>/", views.report_download, name="download"),
]
