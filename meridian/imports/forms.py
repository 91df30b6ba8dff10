"""The upload form of the import page."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from meridian.imports.kinds import import_kinds


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("What the file holds"), choices=(), widget=forms.RadioSelect)
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("CSV (UTF-8 or GB18030; comma, semicolon or tab) or XLSX. The first sheet is read."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def __init__(self, *args, user=None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        # Only the kinds the registry holds and this user may import are offered.
        choices = [(kind.key, kind.label) for kind in import_kinds(user)]
        field = self.fields["kind"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = choices
        if choices:
            field.initial = choices[0][0]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.MAX_UPLOAD_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": settings.MAX_UPLOAD_MB}
            )
        return upload
