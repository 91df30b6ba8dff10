"""Links between sign-in accounts and the identities campus providers vouch for."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from meridian.sso.choices import Provider


class ExternalIdentity(models.Model):
    """An account's identity at a campus provider: the CAS user name or the OpenID Connect subject.

    Sign-in finds the account through this link, never through a user name that merely looks alike, so a
    local guest account can never be taken over by a campus account of the same name. `granted_unit` and
    `granted_role` remember the default role that sign-in itself granted, so that it moves with the unit
    while roles granted by hand stay.
    """

    provider = models.CharField(_("provider"), max_length=10, choices=Provider.choices)
    subject = models.CharField(_("identity at the provider"), max_length=255)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sign-in account"),
        on_delete=models.CASCADE,
        related_name="external_identities",
    )
    granted_unit = models.ForeignKey(
        "accounts.OrgUnit", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )
    granted_role = models.CharField(max_length=20, blank=True, editable=False)
    created_at = models.DateTimeField(_("first sign-in"), auto_now_add=True)
    last_login_at = models.DateTimeField(_("last sign-in"), null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "subject"], name="unique_external_identity")
        ]
        ordering = ["provider", "subject"]
        verbose_name = _("campus sign-in identity")
        verbose_name_plural = _("campus sign-in identities")

    def __str__(self) -> str:
        return f"{self.get_provider_display()}: {self.subject}"
