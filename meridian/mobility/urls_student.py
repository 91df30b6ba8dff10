"""The student portal under ``/exchange/my/`` and the application files and messages (student and staff)."""

from django.urls import path

from meridian.mobility.views import student

urlpatterns = [
    path("my/", student.student_home, name="student_home"),
    path("my/calls/<int:pk>/", student.student_call, name="student_call"),
    path("my/calls/<int:call_pk>/apply/", student.application_start, name="application_start"),
    path("my/applications/<int:pk>/", student.student_application, name="student_application"),
    path("applications/<int:pk>/messages/", student.application_message, name="application_message"),
    path("applications/<int:pk>/files/<int:file_pk>/", student.application_file, name="application_file"),
]
