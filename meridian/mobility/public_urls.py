"""Public pages of student exchange on the Global Vision site: open calls
(``/global-vision/exchange-calls/``)."""

import importlib

app_name = "mobility_public"

try:
    urlpatterns = importlib.import_module("meridian.mobility.views_public").urlpatterns
except ModuleNotFoundError as exc:  # pragma: no cover
    if exc.name != "meridian.mobility.views_public":
        raise
    urlpatterns = []
