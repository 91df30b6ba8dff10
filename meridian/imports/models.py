"""An uploaded spreadsheet kept privately between its dry run and its commit."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from meridian.core.privatefiles import PrivateFile
    from meridian.core.tabular.runner import ReadOptions


class ImportBatch(models.Model):
    """An upload and its report. Large files (``background``) are checked and imported by ``job``."""

    class Status(models.TextChoices):
        CHECKING = "checking", _("Being checked")
        CHECKED = "checked", _("Checked, ready to import")
        REFUSED = "refused", _("Has problems")
        IMPORTING = "importing", _("Being imported")
        COMMITTED = "committed", _("Imported")
        # A kept upload left unimported for ``IMPORT_KEEP_DAYS``: its file was deleted, its report stays.
        EXPIRED = "expired", _("Expired")

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="import_batches"
    )
    # A key of ``registry.import_kinds``: the contexts register the kinds, so there is no fixed list here.
    kind = models.CharField(_("what"), max_length=40)
    original_name = models.CharField(_("file name"), max_length=255)
    # Only the random file name is stored; the folder comes from the settings, so no path can be smuggled in.
    stored_name = models.CharField(max_length=64)
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    size = models.PositiveBigIntegerField(_("size"), default=0)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.CHECKED)
    report = models.JSONField(_("report"), default=dict)
    created_at = models.DateTimeField(_("uploaded"), auto_now_add=True)
    committed_at = models.DateTimeField(_("imported"), null=True, blank=True)
    background = models.BooleanField(_("runs in the background"), default=False)
    job = models.ForeignKey(
        "jobs.JobRun", null=True, blank=True, on_delete=models.SET_NULL, related_name="import_batches"
    )
    # How the file is read, as the user chose it on the report page (empty: detected): a CSV file's text
    # encoding (a Python codec name), a workbook's sheet, and file header → field ("" ignores the column).
    encoding = models.CharField(_("text encoding"), max_length=40, blank=True)
    sheet = models.CharField(_("sheet"), max_length=255, blank=True)
    mapping = models.JSONField(_("column mapping"), default=dict, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.kind_label}: {self.original_name}"

    @property
    def kind_label(self) -> str:
        from meridian.imports.kinds import kind_label

        return kind_label(self.kind)

    @property
    def in_progress(self) -> bool:
        return self.status in (self.Status.CHECKING, self.Status.IMPORTING)

    @property
    def stored_path(self) -> PrivateFile:
        """The kept upload in the private store (``imports/<stored_name>``, see ``core.privatefiles``)."""
        from meridian.core.privatefiles import IMPORTS, PrivateFile

        return PrivateFile(IMPORTS, self.stored_name)

    @property
    def read_options(self) -> ReadOptions:
        """The reading options chosen for this upload, as the import runner takes them."""
        from meridian.core.tabular.runner import ReadOptions

        return ReadOptions(encoding=self.encoding, sheet=self.sheet, mapping=dict(self.mapping or {}))


class ColumnMapping(models.Model):
    """A named column mapping (file header → field) saved from the mapping step, reused for similar files.

    Names are unique per import kind: an office keeps one "Erasmus office export" mapping, shared by everyone
    who may import that kind.
    """

    kind = models.CharField(_("what"), max_length=40)
    name = models.CharField(_("name"), max_length=100)
    mapping = models.JSONField(_("column mapping"), default=dict)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="import_mappings",
        verbose_name=_("saved by"),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["kind", "name"], name="imports_mapping_unique_name")]
        verbose_name = _("column mapping")
        verbose_name_plural = _("column mappings")

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        from meridian.imports.kinds import kind_label

        return kind_label(self.kind)
