from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "meridian.accounts"
    label = "accounts"
    verbose_name = _("Accounts and organisation")

    def ready(self) -> None:
        # Navigation entries of pages that belong to no context: the API documentation and the admin site.
        from meridian.accounts.permissions import is_internal
        from meridian.core.registry import NavEntry, registry

        registry.nav.add(
            NavEntry(key="api", label=_("API"), url_name="api-docs", visible=is_internal, order=900)
        )
        registry.nav.add(
            NavEntry(
                key="admin",
                label=_("Administration"),
                url_name="admin:index",
                visible=lambda user: bool(user.is_staff),
                order=950,
            )
        )
