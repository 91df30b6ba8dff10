from django.urls import path

from meridian.search import views

app_name = "search"

urlpatterns = [
    path("", views.search_home, name="home"),
]
