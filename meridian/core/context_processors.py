from django.conf import settings
from django.http import HttpRequest

from meridian.accounts.permissions import standing


def meridian(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "university_name": settings.UNIVERSITY_NAME,
        "standing": standing(user),
    }
