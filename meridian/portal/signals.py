"""Cache invalidation only: a change to partners, agreements or countries renews the figures stamp."""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from meridian.agreements.models import Agreement, AgreementChannel, AgreementPartner
from meridian.partners.models import Partner
from meridian.portal.figures import figures_invalidate
from meridian.reference.models import Country

WATCHED = [Partner, Agreement, AgreementChannel, AgreementPartner, Country]


def _changed(sender, **kwargs) -> None:
    if kwargs.get("raw"):
        return  # fixtures being loaded
    figures_invalidate()


def connect() -> None:
    for model in WATCHED:
        post_save.connect(_changed, sender=model, dispatch_uid=f"portal-figures-save-{model._meta.label}")
        post_delete.connect(_changed, sender=model, dispatch_uid=f"portal-figures-delete-{model._meta.label}")
