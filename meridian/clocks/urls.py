from django.urls import path

from meridian.clocks import views

app_name = "clocks"
urlpatterns = [
    path("", views.obligation_list_view, name="list"),
    path("export/", views.obligation_export, name="export"),
    path("<int:pk>/", views.obligation_detail, name="detail"),
    path("<int:pk>/waive/", views.obligation_waive_view, name="waive"),
    path("calendar/", views.site_calendar_view, name="calendar"),
    path("calendar/<int:pk>/delete/", views.site_calendar_delete, name="calendar_delete"),
    path("ladders/", views.ladder_list, name="ladders"),
    path("ladders/<str:rule>/", views.ladder_edit, name="ladder"),
]
