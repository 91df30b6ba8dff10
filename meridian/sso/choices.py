"""Choices of the single sign-on context: the kinds of identity provider, the kinds of campus member."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    CAS = "cas", _("CAS")
    OIDC = "oidc", _("OpenID Connect")


class MemberKind(models.TextChoices):
    STAFF = "staff", _("Staff member")
    STUDENT = "student", _("Student")
