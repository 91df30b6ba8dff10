"""Staff pages of calls under ``/exchange/calls/`` (namespace ``mobility``): the list, filing a call, its
page, its edit page with the parts it posts to, and the lifecycle moves."""

from django.urls import path

from meridian.mobility.views import calls as views

urlpatterns = [
    path("calls/", views.call_list, name="call_list"),
    path("calls/new/", views.call_create, name="call_create"),
    path("calls/<int:pk>/", views.call_detail, name="call_detail"),
    path("calls/<int:pk>/edit/", views.call_edit, name="call_edit"),
    path("calls/<int:pk>/move/<slug:action>/", views.call_move, name="call_move"),
    path("calls/<int:pk>/destinations/add/", views.destination_add, name="call_destination_add"),
    path("calls/<int:pk>/destinations/<int:item_pk>/", views.destination_edit, name="call_destination_edit"),
    path(
        "calls/<int:pk>/destinations/<int:item_pk>/remove/",
        views.destination_remove,
        name="call_destination_remove",
    ),
    path("calls/<int:pk>/criteria/add/", views.criterion_add, name="call_criterion_add"),
    path("calls/<int:pk>/criteria/<int:item_pk>/", views.criterion_edit, name="call_criterion_edit"),
    path(
        "calls/<int:pk>/criteria/<int:item_pk>/remove/", views.criterion_remove, name="call_criterion_remove"
    ),
    path("calls/<int:pk>/questions/add/", views.question_add, name="call_question_add"),
    path("calls/<int:pk>/questions/<int:item_pk>/", views.question_edit, name="call_question_edit"),
    path(
        "calls/<int:pk>/questions/<int:item_pk>/remove/", views.question_remove, name="call_question_remove"
    ),
    path("calls/<int:pk>/reviewers/add/", views.reviewer_add, name="call_reviewer_add"),
    path(
        "calls/<int:pk>/reviewers/<int:item_pk>/remove/", views.reviewer_remove, name="call_reviewer_remove"
    ),
]
