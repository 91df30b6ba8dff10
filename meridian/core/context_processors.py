from django.conf import settings
from django.http import HttpRequest


def meridian(request: HttpRequest) -> dict:
    """Values every page shows. The navigation comes from the registry (the ``main_nav`` template tag)."""
    return {"university_name": settings.UNIVERSITY_NAME}
