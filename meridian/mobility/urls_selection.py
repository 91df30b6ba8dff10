"""Routes of selection (namespace ``mobility``): the staff list and page of applications, the school's
queue, the committee's reviews, and the ranking, allocation and publicity of a call."""

from django.urls import path

from meridian.mobility.views import selection as views
from meridian.mobility.views import selection_results as results

urlpatterns = [
    path("applications/", views.application_list, name="application_list"),
    path("applications/export/", views.application_export, name="application_export"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/decide/", views.application_decide, name="selection_decide"),
    path("applications/<int:pk>/conflict/", views.conflict_declare, name="selection_conflict"),
    path("conflicts/<int:pk>/lift/", views.conflict_lift, name="selection_conflict_lift"),
    path("applications/<int:pk>/review/", views.review, name="review"),
    path("school-queue/", views.school_queue, name="school_queue"),
    path("reviews/", views.my_reviews, name="my_reviews"),
    path("calls/<int:call_pk>/ranking/", results.ranking, name="ranking"),
    path("calls/<int:call_pk>/allocation/", results.allocation, name="allocation"),
    path("calls/<int:call_pk>/publicity/", results.publicity, name="publicity"),
]
