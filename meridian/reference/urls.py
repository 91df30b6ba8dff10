from django.urls import path

from meridian.reference import views

app_name = "reference"

urlpatterns = [
    path("", views.registry_view, name="registry"),
    path("lookup/", views.lookup_view, name="lookup"),
    path("countries/", views.country_list_view, name="countries"),
]
