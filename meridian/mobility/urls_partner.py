"""Partner portal pages (``/exchange/partner/``) and the office's nomination page of a call."""

from django.urls import path

from meridian.mobility.views import partner

urlpatterns = [
    path("partner/", partner.partner_home, name="partner_home"),
    path("partner/mobilities/<int:pk>/", partner.partner_mobility, name="partner_mobility"),
    path(
        "partner/mobilities/<int:pk>/<slug:action>/",
        partner.partner_mobility_move,
        name="partner_mobility_move",
    ),
    path("partner/nominate/", partner.partner_nominate, name="partner_nominate"),
    path("partner/factsheet/", partner.partner_factsheet, name="partner_factsheet"),
    path("calls/<int:call_pk>/nominate/", partner.nominate, name="nominate"),
]
