from django.urls import path

from meridian.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list, name="list"),
    path("<int:pk>/", views.job_detail, name="detail"),
    path("<int:pk>/progress/", views.job_progress_fragment, name="progress"),
    path("<int:pk>/download/", views.job_download, name="download"),
]
