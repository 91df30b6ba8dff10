"""The engine's API routes (my tasks and step actions), included into the API URLconf under /api/v1/."""

from meridian.workflow.api import api_urls

urlpatterns = api_urls
