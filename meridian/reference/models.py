"""Reference data (countries, ISCED-F, EQF) and the institution registry used for look-ups."""

from django.db import models
from django.utils.translation import gettext_lazy as _

from meridian.core.i18n import localised
from meridian.reference.choices import InstitutionStatus, IscedLevel, NameKind, RegistrySource


class Country(models.Model):
    """A country or territory (ISO 3166-1) with its UN M49 region and sub-region."""

    code = models.CharField(_("ISO code"), max_length=2, primary_key=True)
    alpha3 = models.CharField(_("ISO alpha-3"), max_length=3, unique=True)
    numeric = models.CharField(_("ISO numeric"), max_length=3, blank=True)
    name_en = models.CharField(_("English name"), max_length=120)
    name_zh = models.CharField(_("Chinese name"), max_length=120)
    region_code = models.CharField(_("UN region code"), max_length=3, blank=True)
    region_en = models.CharField(_("region"), max_length=60, blank=True)
    region_zh = models.CharField(_("region (Chinese)"), max_length=60, blank=True)
    subregion_code = models.CharField(_("UN sub-region code"), max_length=3, blank=True)
    subregion_en = models.CharField(_("sub-region"), max_length=60, blank=True)
    subregion_zh = models.CharField(_("sub-region (Chinese)"), max_length=60, blank=True)

    class Meta:
        ordering = ["name_en"]
        verbose_name = _("country or territory")
        verbose_name_plural = _("countries and territories")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return localised(self.name_en, self.name_zh)

    @property
    def region(self) -> str:
        return localised(self.region_en, self.region_zh)

    @property
    def subregion(self) -> str:
        """The UN M49 sub-region in the reader's language (CLDR's Chinese name on Chinese pages)."""
        return localised(self.subregion_en, self.subregion_zh)


class IscedField(models.Model):
    """A field of education and training (ISCED-F 2013): broad (2 digits), narrow (3) or detailed (4)."""

    code = models.CharField(_("code"), max_length=4, primary_key=True)
    level = models.CharField(_("level"), max_length=10, choices=IscedLevel.choices)
    name_en = models.CharField(_("English name"), max_length=200)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )

    class Meta:
        ordering = ["code"]
        verbose_name = _("ISCED-F field")
        verbose_name_plural = _("ISCED-F fields")

    def __str__(self) -> str:
        return f"{self.code} {self.name_en}"


class EqfLevel(models.Model):
    """A level of the European Qualifications Framework (1–8) with its descriptors."""

    level = models.PositiveSmallIntegerField(_("level"), primary_key=True)
    uri = models.URLField(_("URI"))
    knowledge = models.TextField(_("knowledge"))
    skills = models.TextField(_("skills"))
    responsibility_autonomy = models.TextField(_("responsibility and autonomy"))
    qf_ehea_cycle = models.CharField(_("QF-EHEA cycle"), max_length=40, blank=True)

    class Meta:
        ordering = ["level"]
        verbose_name = _("EQF level")
        verbose_name_plural = _("EQF levels")

    def __str__(self) -> str:
        return f"EQF {self.level}"


class Institution(models.Model):
    """An institution in the look-up registry, merged from ROR, the ECHE list and the domains list."""

    name = models.CharField(_("name"), max_length=300)
    country = models.ForeignKey(
        Country, verbose_name=_("country"), null=True, blank=True, on_delete=models.PROTECT
    )
    subdivision = models.CharField(_("province / state"), max_length=120, blank=True)
    city = models.CharField(_("city"), max_length=120, blank=True)
    latitude = models.FloatField(_("latitude"), null=True, blank=True)
    longitude = models.FloatField(_("longitude"), null=True, blank=True)
    website = models.URLField(_("website"), max_length=300, blank=True)
    ror_id = models.CharField(_("ROR ID"), max_length=9, null=True, blank=True, unique=True)
    erasmus_code = models.CharField(_("Erasmus code"), max_length=20, null=True, blank=True, unique=True)
    # The code without spaces, upper-cased, so that "a graz01" finds "A  GRAZ01".
    erasmus_key = models.CharField(max_length=20, blank=True, db_index=True, editable=False)
    # The domains list has no identifiers: its records are recognised again by folded name and country.
    domains_key = models.CharField(max_length=310, blank=True, db_index=True, editable=False)
    pic = models.CharField(_("PIC"), max_length=12, null=True, blank=True, db_index=True)
    oid = models.CharField(_("OID"), max_length=12, blank=True)
    types = models.CharField(_("types"), max_length=200, blank=True)
    established = models.PositiveSmallIntegerField(_("established"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=InstitutionStatus.choices, default="active")
    sources = models.CharField(
        _("sources"), max_length=40, blank=True, help_text="Comma-separated registry sources"
    )
    eche_start = models.DateField(_("ECHE start"), null=True, blank=True)
    eche_end = models.DateField(_("ECHE end"), null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("registry institution")
        verbose_name_plural = _("registry institutions")

    def __str__(self) -> str:
        return self.name


class InstitutionName(models.Model):
    """Every name, label, alias and acronym of an institution, normalised for accent-free prefix search."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="names")
    kind = models.CharField(max_length=10, choices=NameKind.choices)
    source = models.CharField(max_length=10, choices=RegistrySource.choices, blank=True)
    value = models.CharField(max_length=300)
    language = models.CharField(max_length=10, blank=True)
    normalised = models.CharField(max_length=300, db_index=True)

    class Meta:
        verbose_name = _("institution name")

    def __str__(self) -> str:
        return self.value


class InstitutionToken(models.Model):
    """One normalised word of an institution's names, so that a word prefix is an indexed range query."""

    # The (institution, token) index below also serves the foreign key.
    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="tokens", db_index=False
    )
    token = models.CharField(max_length=80)
    source = models.CharField(max_length=10, choices=RegistrySource.choices, blank=True)

    class Meta:
        indexes = [
            # Word prefix → institutions, read from the index alone. PostgreSQL uses an index for
            # LIKE 'abc%' only with the pattern operator class, whatever the database collation.
            models.Index(
                fields=["token", "institution"],
                opclasses=["varchar_pattern_ops", "int8_ops"],
                name="reference_token_prefix",
            ),
            # Does this institution have a word starting so? (the second and later words of a query)
            models.Index(fields=["institution", "token"], name="reference_token_by_inst"),
        ]

    def __str__(self) -> str:
        return self.token


class InstitutionDomain(models.Model):
    """A web or e-mail domain of an institution, as given by one registry source."""

    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="domains")
    domain = models.CharField(max_length=253, db_index=True)
    source = models.CharField(max_length=10, choices=RegistrySource.choices, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution", "domain", "source"], name="unique_institution_domain"
            )
        ]

    def __str__(self) -> str:
        return self.domain


class RegistryImport(models.Model):
    """One run of `meridian import-registry`, with its counts, for the record."""

    source = models.CharField(max_length=10, choices=RegistrySource.choices)
    file_name = models.CharField(max_length=300)
    edition = models.CharField(max_length=60, blank=True)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    withdrawn = models.PositiveIntegerField(default=0)
    total = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-started_at", "-pk"]
        verbose_name = _("registry import")

    def __str__(self) -> str:
        return f"{self.source} {self.file_name}"


class Place(models.Model):
    """A populated place with its names (Natural Earth populated places, loaded by `meridian load-places`).

    Used to show a city in the reader's language: ``selectors.city_name`` finds the place by its name in the
    country and gives ``name_zh`` (Simplified Chinese) to Chinese readers.
    """

    country_code = models.CharField(_("country code"), max_length=2, db_index=True)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("English name"), max_length=200, blank=True)
    name_ascii = models.CharField(_("ASCII name"), max_length=200, blank=True)
    name_zh = models.CharField(_("Chinese name"), max_length=200, blank=True)
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    geonameid = models.PositiveIntegerField(_("GeoNames ID"), null=True, blank=True)
    wikidata_id = models.CharField(_("Wikidata ID"), max_length=20, blank=True)

    class Meta:
        ordering = ["country_code", "name"]
        verbose_name = _("populated place")
        verbose_name_plural = _("populated places")

    def __str__(self) -> str:
        return f"{self.name} ({self.country_code})"
