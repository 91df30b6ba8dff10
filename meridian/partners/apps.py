from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PartnersConfig(AppConfig):
    name = "meridian.partners"
    label = "partners"
    verbose_name = _("Partners")

    def ready(self) -> None:
        # What partners contribute to the shared screens, and the partner import kind.
        from meridian.partners import extensions, import_rows  # noqa: F401
