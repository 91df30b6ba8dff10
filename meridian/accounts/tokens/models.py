"""The API token model; imported by ``meridian.accounts.models`` so that Django finds it."""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS


class ApiToken(AbstractAuthToken):
    """A user's API token: knox's digest, lookup prefix, owner, creation and expiry, plus a name and last use.

    ``digest`` is the SHA-512 hex digest of the secret; the secret itself is never stored. ``token_key`` is
    the secret's first 15 characters, used only to find candidate rows before comparing digests.
    """

    id = models.BigAutoField(primary_key=True)
    # knox makes the digest the primary key; a plain id keeps it out of URLs and the admin's links.
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True, editable=False)
    name = models.CharField(_("name"), max_length=100, help_text=_("What the token is for, e.g. a script."))
    last_used = models.DateTimeField(_("last used"), null=True, blank=True, editable=False)

    class Meta:
        app_label = "accounts"
        ordering = ["-created", "-id"]
        verbose_name = _("API token")
        verbose_name_plural = _("API tokens")

    def __str__(self) -> str:
        return f"{self.name} ({self.user})"

    @property
    def is_expired(self) -> bool:
        """Whether the token's expiry has passed (a token without expiry never expires)."""
        return self.expiry is not None and self.expiry <= timezone.now()
