"""Open data feeds of the public directory (no language prefix: stable addresses for machines)."""

from django.urls import path

from meridian.directory.views import data

app_name = "opendata"

urlpatterns = [
    path("partners.json", data.partners_json, name="partners_json"),
    path("partners.csv", data.partners_csv, name="partners_csv"),
    path("partners.geojson", data.partners_geojson, name="partners_geojson"),
]
