"""Partner organisations, their contacts and partner-side units."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from simple_history.models import HistoricalRecords

from meridian.core.i18n import localised
from meridian.core.models import VersionedModel
from meridian.core.search_index import register_search_table
from meridian.partners.choices import (
    ContactLanguage,
    PartnerType,
    PartnerUnitKind,
    PortalRole,
    RelationshipStatus,
)
from meridian.partners.logos import logo_upload_to
from meridian.partners.search_text import (
    PARTNER_NAME_FIELDS,
    PARTNER_PRIVATE_FIELDS,
    PARTNER_PUBLIC_FIELDS,
    PARTNER_SORTED_FIELDS,
    fill_partner_sort_keys,
    partner_search_text_now,
)

SEARCHED_FIELDS = frozenset({*PARTNER_PUBLIC_FIELDS, *PARTNER_PRIVATE_FIELDS, "country", "country_id"})
SORTED_FIELDS = frozenset(PARTNER_SORTED_FIELDS)


class PartnerQuerySet(models.QuerySet):
    def visible_to(self, user) -> PartnerQuerySet:
        """The one place that decides which partners a user may see (see permissions.py)."""
        from meridian.partners.permissions import partner_visibility_filter

        condition = partner_visibility_filter(user)
        return self if condition is None else self.filter(condition)


class Tag(models.Model):
    name = models.CharField(_("name"), max_length=60, unique=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("tag")
        verbose_name_plural = _("tags")

    def __str__(self) -> str:
        return self.name


class Partner(VersionedModel):
    """A partner organisation: the single record behind every channel of cooperation."""

    name = models.CharField(_("official name"), max_length=300)
    name_en = models.CharField(_("English name"), max_length=300, blank=True)
    name_zh = models.CharField(_("Chinese name"), max_length=300, blank=True)
    acronym = models.CharField(_("acronym"), max_length=40, blank=True)
    kind = models.CharField(
        _("type"), max_length=30, choices=PartnerType.choices, default=PartnerType.UNIVERSITY
    )
    country = models.ForeignKey(
        "reference.Country",
        verbose_name=_("country or region"),
        on_delete=models.PROTECT,
        related_name="partners",
    )
    province = models.CharField(_("province / state"), max_length=120, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    latitude = models.DecimalField(_("latitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    longitude = models.DecimalField(_("longitude"), max_digits=9, decimal_places=6, null=True, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    # Normalised host of `website` ("uni-heidelberg.de"), kept by the services for duplicate detection.
    website_domain = models.CharField(
        _("website domain"), max_length=253, blank=True, db_index=True, editable=False
    )
    ror_id = models.CharField(
        _("ROR ID"), max_length=9, blank=True, help_text=_("Nine characters, e.g. 038t36y30")
    )
    erasmus_code = models.CharField(
        _("Erasmus code"), max_length=20, blank=True, help_text=_('e.g. "D  HEIDELB01"')
    )
    pic = models.CharField(
        _("PIC"), max_length=12, blank=True, help_text=_("Participant Identification Code")
    )
    schac_code = models.CharField(
        _("SCHAC code"), max_length=120, blank=True, help_text=_("e.g. uni-heidelberg.de")
    )
    other_identifiers = models.CharField(_("other identifiers"), max_length=300, blank=True)
    parent = models.ForeignKey(
        "self",
        verbose_name=_("parent organisation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="children",
    )
    status = models.CharField(
        _("relationship status"),
        max_length=10,
        choices=RelationshipStatus.choices,
        default=RelationshipStatus.PROSPECT,
    )
    cooperating_since = models.DateField(_("cooperating since"), null=True, blank=True)
    tags = models.ManyToManyField(Tag, verbose_name=_("tags"), blank=True, related_name="partners")
    notes = models.TextField(_("internal notes"), blank=True)
    is_public = models.BooleanField(_("shown publicly"), default=False)
    owner_unit = models.ForeignKey(
        "accounts.OrgUnit",
        verbose_name=_("managing unit"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partners",
        help_text=_("The unit that looks after this relationship; its coordinators may edit the record."),
    )
    registry_institution = models.ForeignKey(
        "reference.Institution",
        verbose_name=_("registry entry"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partners",
    )
    # Shown on the public partner page; stored only as re-encoded PNG (meridian/partners/logos.py), set by
    # the partner_logo_set service, never by the partner form's generic fields.
    logo = models.FileField(_("logo"), upload_to=logo_upload_to, blank=True, max_length=200, editable=False)
    is_demo = models.BooleanField(_("demo data"), default=False, editable=False)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # Names, place, country and identifiers in one normalised form, indexed for substring search (see
    # meridian/core/search_index.py, meridian/partners/search_text.py); written by save() and bulk refreshes.
    search_text = models.TextField(_("search text"), blank=True, default="", editable=False)
    # The displayed name's sort keys for English and Chinese readers (meridian/core/sorting.py: Chinese by
    # pinyin), kept with the search column; the list orders by the reader's one, read from its index.
    sort_key_en = models.CharField(
        _("sort key (English)"), max_length=255, blank=True, default="", editable=False
    )
    sort_key_zh = models.CharField(
        _("sort key (Chinese)"), max_length=255, blank=True, default="", editable=False
    )

    objects = PartnerQuerySet.as_manager()
    history = HistoricalRecords(
        excluded_fields=["updated_at", "website_domain", "search_text", "sort_key_en", "sort_key_zh"],
        m2m_fields=[tags],
    )

    class Meta:
        ordering = ["name"]
        verbose_name = _("partner")
        verbose_name_plural = _("partners")
        constraints = [
            models.UniqueConstraint(fields=["ror_id"], condition=~Q(ror_id=""), name="unique_partner_ror_id"),
            models.UniqueConstraint(
                fields=["erasmus_code"], condition=~Q(erasmus_code=""), name="unique_partner_erasmus_code"
            ),
            models.UniqueConstraint(fields=["pic"], condition=~Q(pic=""), name="unique_partner_pic"),
        ]
        indexes = [
            models.Index(fields=["country", "kind", "status"]),
            # The list's default order (name, then id for stable pages) read from the index, not sorted.
            models.Index(fields=["name", "id"], name="partner_name_order"),
            models.Index(fields=["sort_key_en", "id"], name="partner_sort_en_order"),
            models.Index(fields=["sort_key_zh", "id"], name="partner_sort_zh_order"),
        ]

    def __str__(self) -> str:
        return self.display_name

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        # Remembered to tell whether the agreements' search text must follow a rename.
        instance._loaded_search_names = instance.search_names()
        return instance

    def search_names(self) -> tuple[str, ...]:
        """The values agreements are also searched by (names and acronym), deferred ones left out."""
        loaded = self.__dict__
        return tuple(loaded.get(name, "") for name in PARTNER_NAME_FIELDS)

    def search_names_changed(self) -> bool:
        return getattr(self, "_loaded_search_names", None) != self.search_names()

    def save(self, *args, **kwargs) -> None:
        # The search column is an index of this row's own values (like a database-generated column), so it is
        # kept here, where every path that saves a partner passes.
        update_fields = kwargs.get("update_fields")
        if update_fields is None or SEARCHED_FIELDS.intersection(update_fields):
            self.search_text = partner_search_text_now(self)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "search_text"}
        update_fields = kwargs.get("update_fields")
        if update_fields is None or SORTED_FIELDS.intersection(update_fields):
            fill_partner_sort_keys(self)
            if update_fields is not None:
                kwargs["update_fields"] = {*update_fields, "sort_key_en", "sort_key_zh"}
        super().save(*args, **kwargs)
        self._loaded_search_names = self.search_names()

    @property
    def display_name(self) -> str:
        return localised(self.name_en or self.name, self.name_zh)

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("partners:detail", args=[self.pk])


register_search_table(Partner._meta.db_table)


class PartnerContact(models.Model):
    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    position = models.CharField(_("position"), max_length=200, blank=True)
    email = models.EmailField(_("e-mail"), blank=True)
    phone = models.CharField(_("phone"), max_length=60, blank=True)
    preferred_language = models.CharField(
        _("preferred language"), max_length=10, choices=ContactLanguage.choices, default=ContactLanguage.EN
    )
    is_primary = models.BooleanField(_("main contact"), default=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sign-in account"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="partner_contact",
    )
    portal_role = models.CharField(
        _("role in the partner portal"),
        max_length=20,
        choices=PortalRole.choices,
        default=PortalRole.COORDINATOR,
        help_text=_("Coordinators nominate students and decide on nominations; viewers only read."),
    )
    history = HistoricalRecords()

    class Meta:
        ordering = ["-is_primary", "name"]
        verbose_name = _("partner contact")
        verbose_name_plural = _("partner contacts")

    def __str__(self) -> str:
        return self.name


class PartnerUnit(models.Model):
    """A faculty, department or office on the partner's side."""

    partner = models.ForeignKey(Partner, on_delete=models.CASCADE, related_name="units")
    name_en = models.CharField(_("English name"), max_length=300)
    name_zh = models.CharField(_("Chinese name"), max_length=300, blank=True)
    kind = models.CharField(
        _("kind"), max_length=20, choices=PartnerUnitKind.choices, default=PartnerUnitKind.FACULTY
    )
    website = models.URLField(_("website"), max_length=300, blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("partner-side unit")
        verbose_name_plural = _("partner-side units")

    def __str__(self) -> str:
        return localised(self.name_en, self.name_zh)
