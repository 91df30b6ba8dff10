"""Routes of the exchange balance (namespace ``mobility``)."""

from django.urls import path

from meridian.mobility.views.balance import balance_export, balance_page

urlpatterns = [
    path("balance/", balance_page, name="balance"),
    path("balance/export/", balance_export, name="balance_export"),
]
