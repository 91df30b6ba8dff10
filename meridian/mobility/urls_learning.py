"""Routes of learning agreements, the course-equivalence catalogue, grade conversion and recognition."""

from django.urls import path

from meridian.mobility.views import learning, recognition

urlpatterns = [
    path("mobilities/<int:mobility_pk>/learning-agreement/new/", learning.la_create, name="la_create"),
    path(
        "mobilities/<int:mobility_pk>/learning-agreement/change/",
        learning.la_change_create,
        name="la_change_create",
    ),
    path("learning-agreements/<int:pk>/", learning.la_detail, name="la_detail"),
    path("learning-agreements/<int:pk>/courses/", learning.la_courses, name="la_courses"),
    path("learning-agreements/<int:pk>/courses/add/", learning.la_suggestion_add, name="la_suggestion_add"),
    path("learning-agreements/<int:pk>/sign/", learning.la_sign, name="la_sign"),
    path("learning-agreements/<int:pk>/pdf/", learning.la_pdf, name="la_pdf"),
    path("learning-agreements/<int:pk>/<slug:action>/", learning.la_move, name="la_move"),
    path("course-equivalences/", learning.equivalence_list, name="equivalence_list"),
    path(
        "course-equivalences/<int:pk>/withdraw/", learning.equivalence_withdraw, name="equivalence_withdraw"
    ),
    path("grade-conversion/", recognition.conversion_tables, name="conversion_tables"),
    path(
        "grade-conversion/partners/<int:partner_pk>/new/",
        recognition.conversion_table_create,
        name="conversion_table_create",
    ),
    path("grade-conversion/<int:pk>/", recognition.conversion_table_edit, name="conversion_table_edit"),
    path("mobilities/<int:mobility_pk>/recognition/", recognition.recognition, name="recognition"),
    path(
        "mobilities/<int:mobility_pk>/recognition/prefill/",
        recognition.recognition_prefill,
        name="recognition_prefill",
    ),
    path(
        "mobilities/<int:mobility_pk>/recognition/convert/",
        recognition.recognition_convert,
        name="recognition_convert",
    ),
    path(
        "mobilities/<int:mobility_pk>/recognition/upload/",
        recognition.recognition_upload,
        name="recognition_upload",
    ),
    path(
        "mobilities/<int:mobility_pk>/recognition/files/<int:file_pk>/",
        recognition.recognition_file,
        name="recognition_file",
    ),
    path(
        "mobilities/<int:mobility_pk>/recognition/export/",
        recognition.recognition_export,
        name="recognition_export",
    ),
]
