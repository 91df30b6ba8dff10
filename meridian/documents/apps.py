from typing import Any

from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


def _install_default_templates(sender: Any, **kwargs: Any) -> None:
    # Like contenttypes and permissions: the defaults every source ships are installed after each migrate
    # (and after a test flush), never overwriting a template an administrator has edited.
    from meridian.documents.services import document_templates_install_defaults

    document_templates_install_defaults()


class DocumentsConfig(AppConfig):
    name = "meridian.documents"
    label = "documents"
    verbose_name = _("Generated documents")

    def ready(self) -> None:
        from meridian.core.registry import NavEntry, registry
        from meridian.documents.permissions import can_manage_templates

        registry.nav.add(
            NavEntry(
                key="document_templates",
                label=_("Document templates"),
                url_name="documents:template_list",
                visible=can_manage_templates,
                order=80,
                active_apps=("documents",),
            )
        )
        post_migrate.connect(
            _install_default_templates, sender=self, dispatch_uid="documents-install-defaults"
        )
