from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meridian.accounts.choices import GrantAction, Role, UnitKind
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
    """A role a user holds on a unit. A coordinator's reach is the unit and its descendants.

    Rows are written only by `membership_grant` and removed only by `membership_revoke`, which also write a
    `RoleGrantRecord`, so who granted or revoked what and when is never lost.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(OrgUnit, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    granted_at = models.DateTimeField(_("granted"), default=timezone.now, editable=False)
    granted_by = models.ForeignKey(
        User,
        verbose_name=_("granted by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        editable=False,
    )

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit", "role"], name="unique_membership")]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} @ {self.unit}"


class RoleGrantRecord(models.Model):
    """One grant or revocation of a role: who, on which unit, by whom, when and why. Never changed afterwards.

    The user, unit and role are kept as text too, so the record still reads after the user or unit is deleted.
    """

    action = models.CharField(_("action"), max_length=10, choices=GrantAction.choices)
    user = models.ForeignKey(
        User, verbose_name=_("user"), null=True, on_delete=models.SET_NULL, related_name="role_grant_records"
    )
    username = models.CharField(_("user name"), max_length=150)
    unit = models.ForeignKey(
        OrgUnit, verbose_name=_("unit"), null=True, on_delete=models.SET_NULL, related_name="+"
    )
    unit_name = models.CharField(_("unit name"), max_length=200)
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    actor = models.ForeignKey(
        User, verbose_name=_("by"), null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    note = models.CharField(_("note"), max_length=300, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("role grant record")
        verbose_name_plural = _("role grant records")

    def __str__(self) -> str:
        return f"{self.get_action_display()}: {self.username} — {self.get_role_display()} @ {self.unit_name}"


from meridian.accounts.tokens.models import ApiToken  # noqa: E402, F401  (defined apart, registered here)
