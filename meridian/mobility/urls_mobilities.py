"""Mobilities in both directions (staff pages), and the incoming student's invitation and application."""

from django.urls import path

from meridian.mobility.views import incoming, mobilities

urlpatterns = [
    path("mobilities/", mobilities.mobility_list, name="mobility_list"),
    path("mobilities/export/", mobilities.mobility_export, name="mobility_export"),
    path("mobilities/<int:pk>/", mobilities.mobility_detail, name="mobility_detail"),
    path("mobilities/<int:pk>/move/<slug:action>/", mobilities.mobility_move, name="mobility_move"),
    path("mobilities/<int:pk>/dates/", mobilities.mobility_dates, name="mobility_dates"),
    path("mobilities/<int:pk>/registration/", mobilities.mobility_registration, name="mobility_registration"),
    path("mobilities/<int:pk>/files/add/", mobilities.mobility_file_add, name="mobility_file_add"),
    path("mobilities/<int:pk>/files/<int:file_pk>/", mobilities.mobility_file, name="mobility_file"),
    path(
        "mobilities/<int:pk>/passport/", mobilities.mobility_passport_reveal, name="mobility_passport_reveal"
    ),
    path("invitation/<str:token>/", incoming.incoming_invitation, name="incoming_invitation"),
    path("incoming/<int:pk>/application/", incoming.incoming_application, name="incoming_application"),
]
