"""The public calendar of lectures under ``/<lang>/global-vision/lectures/`` (namespace ``visitors_public``):
the calendar, a lecture's page and the iCalendar feeds (all lectures; one unit's by its code)."""

from django.urls import path

from meridian.visitors import views_public

app_name = "visitors_public"

urlpatterns = [
    path("", views_public.calendar, name="calendar"),
    path("<int:pk>/", views_public.lecture, name="lecture"),
    path("lectures.ics", views_public.feed, name="ics"),
    path("units/<slug:code>/lectures.ics", views_public.unit_feed, name="unit_ics"),
]
