from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "meridian.search"
    label = "search"
    verbose_name = _("Search")

    def ready(self) -> None:
        from meridian.core.registry import NavEntry, registry
        from meridian.search.permissions import can_search

        registry.nav.add(
            NavEntry(key="search", label=_("Search"), url_name="search:home", visible=can_search, order=82)
        )
