"""Forms of the import pages: the upload, reading a kept upload differently (with the column-mapping step),
and the per-field choices for conflicting values at commit."""

from __future__ import annotations

import codecs
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from meridian.core.tabular.encoding import ENCODING_LABELS
from meridian.core.tabular.report import ImportReport
from meridian.imports.kinds import columns_for, import_kinds
from meridian.imports.selectors import mappings_for

# The text encodings offices' spreadsheet programs write CSV files in (Excel and WPS, by locale).
ENCODING_CHOICES = [("", _("Detect automatically")), *ENCODING_LABELS.items()]
SAVE_AS_MAX = 100
FILE = "file"
STORED = "stored"


def encoding_choice(name: str) -> str:
    """The choice of ``ENCODING_CHOICES`` naming the same codec as ``name`` ("" when none does)."""
    try:
        wanted = codecs.lookup(name).name
    except (LookupError, TypeError):
        return ""
    for value, _label in ENCODING_CHOICES:
        if value and codecs.lookup(value).name == wanted:
            return value
    return ""


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=(), widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_(
            "CSV (any common text encoding; comma, semicolon or tab) or XLSX. The sheet whose header fits "
            "best is read."
        ),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )
    encoding = forms.ChoiceField(
        label=_("Text encoding"),
        choices=ENCODING_CHOICES,
        required=False,
        help_text=_("For CSV files; leave “Detect automatically” unless the names in the check look wrong."),
    )
    sheet = forms.CharField(
        label=_("Sheet"),
        max_length=255,
        required=False,
        help_text=_("For workbooks: the name of the sheet to read; empty chooses the sheet that fits best."),
    )
    saved_mapping = forms.ChoiceField(label=_("Saved column mapping"), choices=(), required=False)

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the kinds the registry holds and this user may import are offered.
        choices = [(kind.key, kind.label) for kind in import_kinds(user)]
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        if choices:
            field.initial = choices[0][0]
        self._mappings = {str(m.pk): m for m in mappings_for(user=user)} if user is not None else {}
        saved = self.fields["saved_mapping"]
        assert isinstance(saved, forms.ChoiceField)
        saved.choices = [("", _("None: recognise the headers"))] + [
            (pk, f"{m.kind_label} · {m.name}") for pk, m in self._mappings.items()
        ]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.MAX_UPLOAD_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": settings.MAX_UPLOAD_MB}
            )
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = self._mappings.get(data.get("saved_mapping") or "")
        if chosen is not None and data.get("kind") and chosen.kind != data["kind"]:
            self.add_error("saved_mapping", _("This mapping is for another kind of file."))
        data["mapping"] = dict(chosen.mapping) if chosen is not None else {}
        return data


class ReadingForm(forms.Form):
    """Read a kept upload again: another encoding or sheet, and each file column → a field or "ignore".

    The column fields are ``column_<n>`` for the n-th header of the report (blank headers are left out);
    ``mapping()`` returns file header → field ("" ignores the column).
    """

    encoding = forms.ChoiceField(label=_("Text encoding"), choices=ENCODING_CHOICES, required=False)
    sheet = forms.ChoiceField(label=_("Sheet"), choices=(), required=False)
    save_as = forms.CharField(
        label=_("Save this mapping as"),
        max_length=SAVE_AS_MAX,
        required=False,
        help_text=_("Optional: a name to reuse this column mapping for similar files."),
    )

    def __init__(self, *args, batch, report: ImportReport | None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        report = report or ImportReport(kind=batch.kind)
        self.fields["encoding"].initial = encoding_choice(batch.encoding or report.encoding)
        sheet = self.fields["sheet"]
        assert isinstance(sheet, forms.ChoiceField)
        sheet.choices = [("", _("The sheet that fits best"))] + [(name, name) for name in report.sheets]
        sheet.initial = batch.sheet or report.sheet
        declared = columns_for(batch.kind)
        choices = [("", _("— ignore this column —"))] + [
            (column.field, f"{column.header_en} / {column.header_zh}" + (" *" if column.required else ""))
            for column in declared
        ]
        self.columns: list[tuple[str, str]] = []  # (form field name, file header)
        seen: set[str] = set()
        for index, header in enumerate(report.headers):
            if not header or header in seen:
                continue
            seen.add(header)
            name = f"column_{index}"
            self.fields[name] = forms.ChoiceField(
                label=header, choices=choices, required=False, initial=report.mapping.get(header, "")
            )
            self.columns.append((name, header))

    @property
    def column_fields(self) -> list[forms.BoundField]:
        return [self[name] for name, _header in self.columns]

    def mapping(self) -> dict[str, str]:
        """File header → field chosen ("" ignores the column); only after ``is_valid()``.

        Only the columns the request names are mapped; the others are recognised by their headers.
        """
        return {
            header: self.cleaned_data.get(name) or ""
            for name, header in self.columns
            if self.add_prefix(name) in self.data
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        chosen = [str(data[name]) for name, _header in self.columns if data.get(name)]
        repeated = sorted({field for field in chosen if chosen.count(field) > 1})
        if repeated:
            raise forms.ValidationError(
                _("Each field can be taken from one column only: %(fields)s")
                % {"fields": ", ".join(repeated)}
            )
        return data


def decisions_from(report: ImportReport | None, data: Any) -> dict[str, dict[str, str]]:
    """The per-field choices posted with a commit, ``{row: {field: "file" | "stored"}}``.

    Each choice is an input ``decision-<row>-<field>``; only conflicts the dry-run ``report`` listed are
    taken, so nothing else can be chosen by a crafted request.
    """
    decisions: dict[str, dict[str, str]] = {}
    if report is None:
        return decisions
    for row in report.rows:
        for conflict in row.conflicts:
            field_name = conflict.get("field", "")
            value = data.get(f"decision-{row.row}-{field_name}")
            if value in (FILE, STORED):
                decisions.setdefault(str(row.row), {})[field_name] = value
    return decisions
