"""Routes of cooperation conditions (places) and partners' factsheets, under ``/exchange/places/``."""

from django.urls import path

from meridian.mobility.views import conditions as views

urlpatterns = [
    path("places/", views.condition_list, name="condition_list"),
    path("places/agreement/<int:agreement_pk>/new/", views.condition_create, name="condition_create"),
    path("places/<int:pk>/edit/", views.condition_edit, name="condition_edit"),
    path("places/<int:pk>/delete/", views.condition_delete, name="condition_delete"),
    path("places/factsheet/<int:partner_pk>/", views.factsheet_edit, name="factsheet_edit"),
]
