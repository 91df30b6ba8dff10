from __future__ import annotations

from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from meridian.documents.choices import DocumentFormat, OutputLanguage, TemplateKind, TemplateLanguages
from meridian.documents.sources import sources

BODY_FIELDS = (("en", "body_en"), ("zh", "body_zh"), ("bilingual", "body_bilingual"))
_BODY_WIDGET = {"rows": 18, "spellcheck": "false", "class": "code"}


class _BodiesMixin(forms.Form):
    body_en = forms.CharField(
        label=_("English text"), required=False, strip=False, widget=forms.Textarea(attrs=_BODY_WIDGET)
    )
    body_zh = forms.CharField(
        label=_("Chinese text"), required=False, strip=False, widget=forms.Textarea(attrs=_BODY_WIDGET)
    )
    body_bilingual = forms.CharField(
        label=_("Bilingual text"), required=False, strip=False, widget=forms.Textarea(attrs=_BODY_WIDGET)
    )
    docx = forms.FileField(
        label=_("DOCX template"),
        required=False,
        help_text=_("A Word document with fields written as {{ number }}."),
    )
    comment = forms.CharField(label=_("What changed"), required=False, max_length=300)

    def bodies(self) -> dict[str, str]:
        return {language: self.cleaned_data.get(name) or "" for language, name in BODY_FIELDS}

    def docx_bytes(self) -> bytes | None:
        upload = self.cleaned_data.get("docx")
        return upload.read() if upload else None


class TemplateCreateForm(_BodiesMixin):
    code = forms.SlugField(
        label=_("Code"), max_length=60, help_text=_("Letters, digits and hyphens, e.g. invitation-letter.")
    )
    source = forms.ChoiceField(label=_("Case type"), choices=())
    name_en = forms.CharField(label=_("English name"), max_length=200)
    name_zh = forms.CharField(label=_("Chinese name"), max_length=200, required=False)
    kind = forms.ChoiceField(label=_("Kind"), choices=TemplateKind.choices)
    languages = forms.ChoiceField(label=_("Languages"), choices=TemplateLanguages.choices)
    fmt = forms.ChoiceField(label=_("Format"), choices=DocumentFormat.choices)
    serial_code = forms.CharField(label=_("Serial code"), max_length=12, required=False)
    serial_pattern = forms.CharField(
        label=_("Serial number scheme"), max_length=60, initial="{year}-{code}-{seq:05d}"
    )
    has_validity = forms.BooleanField(label=_("Has a validity date"), required=False)

    field_order = [
        "code",
        "source",
        "name_en",
        "name_zh",
        "kind",
        "languages",
        "fmt",
        "serial_code",
        "serial_pattern",
        "has_validity",
        "body_en",
        "body_zh",
        "body_bilingual",
        "docx",
        "comment",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["source"]).choices = sources.choices()


class TemplateVersionForm(_BodiesMixin):
    """A new version of a template: only the text fields its languages use are shown."""

    def __init__(self, *args: Any, template: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        wanted = set(template.output_languages()) if template.fmt == DocumentFormat.PDF else set()
        for language, name in BODY_FIELDS:
            if language not in wanted:
                del self.fields[name]
        if template.fmt != DocumentFormat.DOCX:
            del self.fields["docx"]
        else:
            self.fields["docx"].help_text = _("Leave empty to keep the current file.")

    def bodies(self) -> dict[str, str]:
        return {
            language: self.cleaned_data.get(name) or ""
            for language, name in BODY_FIELDS
            if name in self.fields
        }


class TemplateSettingsForm(forms.Form):
    name_en = forms.CharField(label=_("English name"), max_length=200)
    name_zh = forms.CharField(label=_("Chinese name"), max_length=200, required=False)
    serial_pattern = forms.CharField(label=_("Serial number scheme"), max_length=60)
    has_validity = forms.BooleanField(label=_("Has a validity date"), required=False)
    is_active = forms.BooleanField(label=_("Offered on case pages"), required=False)


class GenerateForm(forms.Form):
    template = forms.SlugField(max_length=60)
    language = forms.ChoiceField(choices=OutputLanguage.choices, required=False)


class RevokeForm(forms.Form):
    reason = forms.CharField(label=_("Reason"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2}))


class BatchForm(forms.Form):
    template = forms.ChoiceField(label=_("Template"), choices=())
    language = forms.ChoiceField(label=_("Language"), choices=OutputLanguage.choices)

    def __init__(self, *args: Any, templates: list[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["template"]).choices = [
            (t.code, f"{t.name} ({t.code})") for t in templates
        ]
