from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DirectoryConfig(AppConfig):
    name = "meridian.directory"
    label = "directory"
    verbose_name = _("Public partner directory and open data")
