from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from meridian.portal.models import Article


class ArticleForm(forms.ModelForm):
    """The editor's form; the model's clean() reports unknown placeholders by field."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Article
        fields = [
            "section", "slug", "kind", "title_en", "title_zh", "summary_en", "summary_zh",
            "body_en", "body_zh", "cover", "author_name",
        ]  # fmt: skip
        widgets = {
            "summary_en": forms.Textarea(attrs={"rows": 2}),
            "summary_zh": forms.Textarea(attrs={"rows": 2}),
            "body_en": forms.Textarea(attrs={"rows": 14}),
            "body_zh": forms.Textarea(attrs={"rows": 14}),
            "cover": forms.ClearableFileInput(attrs={"accept": "image/png,image/jpeg,image/webp"}),
        }


class PublishForm(forms.Form):
    publish_at = forms.DateTimeField(
        label=_("Publication time"),
        required=False,
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M"),
        help_text=_("Leave empty to publish now; a future time schedules the page."),
        input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M", "%Y-%m-%d %H:%M:%S"],
    )


class AttachmentForm(forms.Form):
    title = forms.CharField(label=_("Title"), max_length=200)
    file = forms.FileField(label=_("File"), help_text=_("PDF, PNG, JPEG or WebP."))
