"""REST API of student exchange under ``/api/v1/mobility/`` (see ``api.py``)."""

import importlib
from types import ModuleType

from rest_framework.routers import DefaultRouter

api: ModuleType | None
try:
    api = importlib.import_module("meridian.mobility.api")
except ModuleNotFoundError as exc:  # pragma: no cover - the API module not installed
    if exc.name != "meridian.mobility.api":
        raise
    api = None

router = DefaultRouter()
if api is not None:
    api.register(router)

urlpatterns = router.urls
