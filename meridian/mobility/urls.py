"""Staff, student-portal and partner-portal pages of student exchange, under ``/exchange/`` (namespace
``mobility``). Each area keeps its routes in its own module (``urls_<area>.py``)."""

import importlib

from django.urls import include, path

app_name = "mobility"

AREAS = (
    "conditions",  # cooperation conditions on agreements, factsheets (office side)
    "calls",  # calls: office and school pages
    "student",  # the student portal: apply, offers, mobilities, learning agreements (student side)
    "selection",  # eligibility, school pre-approval, committee scoring, ranking, allocation, publicity
    "partner",  # the partner portal and nominations to partners
    "mobilities",  # mobilities (both directions), incoming students, acceptance letters
    "learning",  # learning agreements, course equivalences, transcripts, grade conversion, recognition
    "balance",  # the exchange balance
)

urlpatterns = []
for _area in AREAS:
    try:
        _module = importlib.import_module(f"meridian.mobility.urls_{_area}")
    except ModuleNotFoundError as exc:  # an area not installed
        if exc.name != f"meridian.mobility.urls_{_area}":
            raise
        continue
    urlpatterns.append(path("", include(_module.urlpatterns)))
