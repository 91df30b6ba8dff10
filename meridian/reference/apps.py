from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReferenceConfig(AppConfig):
    name = "meridian.reference"
    label = "reference"
    verbose_name = _("Reference data")

    def ready(self) -> None:
        from meridian.reference import extensions  # noqa: F401
