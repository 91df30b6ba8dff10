from django.conf import settings
from django.http import HttpRequest

from meridian.accounts.permissions import can_write_university, standing


def meridian(request: HttpRequest) -> dict:
    user = getattr(request, "user", None)
    return {
        "university_name": settings.UNIVERSITY_NAME,
        "standing": standing(user),
        # Officers and administrators edit the public Global Vision site.
        "is_web_editor": can_write_university(user),
    }
