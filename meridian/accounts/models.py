from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from meridian.accounts.choices import Role, UnitKind
from meridian.core.i18n import localised


class User(AbstractUser):
    """A person who signs in: staff, students and external partner contacts alike."""

    display_name = models.CharField(_("display name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=10,
        choices=[("en", "English"), ("zh-hans", "简体中文")],
        default="en",
    )

    def __str__(self) -> str:
        return self.display_name or self.get_full_name() or self.username


class OrgUnit(models.Model):
    """A node of the university's organisational tree (university → school → department / office)."""

    kind = models.CharField(_("kind"), max_length=20, choices=UnitKind.choices)
    code = models.SlugField(_("code"), max_length=40, unique=True)
    name_en = models.CharField(_("English name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent unit"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
    )
    # Materialised path of ids ("/1/4/9/"): "this unit and its descendants" is one indexed prefix query.
    path = models.CharField(max_length=255, editable=False, db_index=True, default="")
    is_international_office = models.BooleanField(_("is the International Office"), default=False)

    class Meta:
        ordering = ["path"]
        verbose_name = _("organisational unit")
        verbose_name_plural = _("organisational units")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.name_en, self.name_zh)

    @property
    def depth(self) -> int:
        return max(self.path.count("/") - 2, 0)


class Membership(models.Model):
    """A role a user holds on a unit. A coordinator's reach is the unit and its descendants."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_membership")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.unit}"
