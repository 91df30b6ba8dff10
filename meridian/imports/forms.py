"""The upload form of the import page."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from meridian.imports.models import ImportBatch


class UploadForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What the file holds"),
        choices=ImportBatch.Kind.choices,
        widget=forms.RadioSelect,
        initial=ImportBatch.Kind.PARTNERS,
    )
    file = forms.FileField(
        label=_("Spreadsheet"),
        help_text=_("CSV (UTF-8 or GB18030; comma, semicolon or tab) or XLSX. The first sheet is read."),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx,text/csv"}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        limit = settings.MAX_UPLOAD_MB * 1024 * 1024
        if upload.size > limit:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB.") % {"mb": settings.MAX_UPLOAD_MB}
            )
        return upload
