from django.http import HttpRequest

from meridian.core.i18n import university_name


def meridian(request: HttpRequest) -> dict:
    """Values every page shows. The navigation comes from the registry (the ``main_nav`` template tag)."""
    return {"university_name": university_name()}  # in the reader's language
