"""Forms of the student portal: the application (ranked preferences, academic data, language, declaration,
motivation, answers) and the document upload. The services check everything again; the forms turn typed
text into values and keep what the student typed when something is refused."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _

from meridian.mobility.choices import CefrLevel, DocumentKind, QuestionKind
from meridian.mobility.models import Application, Call
from meridian.mobility.selectors.conditions import iso_639_1_codes as language_codes
from meridian.mobility.selectors.conditions import language_label as language_name
from meridian.mobility.services.applications import (
    EDITABLE_FIELDS,
    MAX_LONG_ANSWER,
    MAX_MOTIVATION,
    MAX_TEXT_ANSWER,
    YEARS_OF_STUDY,
)

PREFERENCE_PREFIX = "preference_"
ANSWER_PREFIX = "answer_"
YES_NO_CHOICES = [("yes", _("Yes")), ("no", _("No"))]
CLEAN_RECORD_CHOICES = [
    ("yes", _("I declare that I have no disciplinary record.")),
    ("no", _("I have a disciplinary record.")),
]


def destination_label(destination) -> str:
    parts = [str(destination.partner), destination.get_mobility_type_display()]
    if destination.language:
        parts.append(f"{destination.language} {destination.min_cefr}".strip())
    return " · ".join(parts)


def language_choices(call: Call) -> list[Any]:
    """The call's languages first, then every ISO 639-1 language by its name in the current language."""
    wanted = [call.language] + [d.language for d in call.destinations.all()]
    first = sorted({code for code in wanted if code}, key=language_name)
    rest = sorted((code for code in language_codes() if code not in first), key=language_name)
    choices: list[Any] = [("", "—")]
    if first:
        choices.append(
            (_("Languages of this call"), [(code, f"{language_name(code)} ({code})") for code in first])
        )
    choices.append((_("All languages"), [(code, f"{language_name(code)} ({code})") for code in rest]))
    return choices


def move_preference(data: QueryDict, action: str, count: int) -> QueryDict:
    """Apply an "up:<rank>" or "down:<rank>" button to the submitted ranks (the page without JavaScript)."""
    direction, _sep, rank_text = action.partition(":")
    if direction not in ("up", "down") or not rank_text.isdigit():
        return data
    rank = int(rank_text)
    other = rank - 1 if direction == "up" else rank + 1
    if not (1 <= rank <= count and 1 <= other <= count):
        return data
    data = data.copy()
    a, b = f"{PREFERENCE_PREFIX}{rank}", f"{PREFERENCE_PREFIX}{other}"
    data[a], data[b] = data.get(b, ""), data.get(a, "")
    return data


class ApplicationForm(forms.Form):
    """The application as the student fills it in; ``preference_<rank>`` and ``answer_<question id>`` fields
    are added for the call."""

    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    programme = forms.CharField(label=_("Programme of study"), max_length=200, required=False)
    year_of_study = forms.IntegerField(
        label=_("Year of study"),
        min_value=YEARS_OF_STUDY[0],
        max_value=YEARS_OF_STUDY[1],
        required=False,
        help_text=_("1 for the first year of your degree."),
    )
    grade_average = forms.DecimalField(
        label=_("Grade average"), min_value=0, decimal_places=2, max_digits=5, required=False
    )
    language = forms.ChoiceField(label=_("Language of study"), required=False)
    cefr_level = forms.ChoiceField(
        label=_("Your level (CEFR)"), choices=[("", "—"), *CefrLevel.choices], required=False
    )
    language_certificate = forms.CharField(
        label=_("Language certificate"),
        max_length=200,
        required=False,
        help_text=_("For example: IELTS 6.5, CET-6 560"),
    )
    clean_record = forms.ChoiceField(
        label=_("Disciplinary declaration"),
        choices=CLEAN_RECORD_CHOICES,
        widget=forms.RadioSelect,
        required=False,
    )
    motivation = forms.CharField(
        label=_("Motivation"),
        widget=forms.Textarea(attrs={"rows": 8}),
        max_length=MAX_MOTIVATION,
        required=False,
        help_text=_("Why these destinations, and what you want to study there."),
    )

    def __init__(self, *args: Any, call: Call, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.call = call
        destinations = list(call.destinations.all())
        choices = [("", "—")] + [(str(d.pk), destination_label(d)) for d in destinations]
        self.ranks = list(range(1, call.max_preferences + 1))
        for rank in self.ranks:
            self.fields[f"{PREFERENCE_PREFIX}{rank}"] = forms.ChoiceField(
                label=_("Preference %(rank)s") % {"rank": rank}, choices=choices, required=False
            )
        scale = call.grade_scale.normalize()
        grade = cast(forms.DecimalField, self.fields["grade_average"])
        grade.validators.append(MaxValueValidator(call.grade_scale))
        grade.widget.attrs["max"] = str(call.grade_scale)
        grade.help_text = _("On this call's scale: 0 to %(max)s.") % {"max": scale}
        cast(forms.ChoiceField, self.fields["language"]).choices = language_choices(call)
        self.questions = list(call.questions.all())
        for question in self.questions:
            name = f"{ANSWER_PREFIX}{question.pk}"
            if question.kind == QuestionKind.YES_NO:
                field: forms.Field = forms.ChoiceField(
                    choices=YES_NO_CHOICES, widget=forms.RadioSelect, required=False
                )
            elif question.kind == QuestionKind.LONG_TEXT:
                field = forms.CharField(
                    widget=forms.Textarea(attrs={"rows": 5}), max_length=MAX_LONG_ANSWER, required=False
                )
            else:
                field = forms.CharField(max_length=MAX_TEXT_ANSWER, required=False)
            field.label = question.text
            field.question = question  # type: ignore[attr-defined]
            self.fields[name] = field

    @classmethod
    def initial_for(cls, application: Application) -> dict[str, Any]:
        initial: dict[str, Any] = {name: getattr(application, name) for name in EDITABLE_FIELDS}
        initial["version"] = application.version
        initial["clean_record"] = {True: "yes", False: "no", None: ""}[application.clean_record]
        for preference in application.preferences.all():
            initial[f"{PREFERENCE_PREFIX}{preference.rank}"] = str(preference.destination_id)
        for key, value in (application.answers or {}).items():
            initial[f"{ANSWER_PREFIX}{key}"] = value
        return initial

    # --- groups for the template ---

    def preference_fields(self) -> list[forms.BoundField]:
        return [self[f"{PREFERENCE_PREFIX}{rank}"] for rank in self.ranks]

    def answer_fields(self) -> list[forms.BoundField]:
        return [self[f"{ANSWER_PREFIX}{q.pk}"] for q in self.questions]

    def academic_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("programme", "year_of_study", "grade_average")]

    def language_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in ("language", "cefr_level", "language_certificate")]

    # --- cleaning ---

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        seen: dict[str, int] = {}
        for rank in self.ranks:
            name = f"{PREFERENCE_PREFIX}{rank}"
            value = data.get(name)
            if not value:
                continue
            if value in seen:
                self.add_error(
                    name,
                    _("You ranked this destination already as preference %(rank)s.") % {"rank": seen[value]},
                )
            else:
                seen[value] = rank
        return data

    def _valid(self, name: str) -> bool:
        return name in getattr(self, "cleaned_data", {}) and name not in self.errors

    def service_fields(self, *, only_valid: bool = False) -> dict[str, Any]:
        """The application's fields for ``application_save`` (``only_valid``: leave out those with errors,
        for the autosave)."""
        fields = {}
        for name in EDITABLE_FIELDS:
            if only_valid and not self._valid(name):
                continue
            value = self.cleaned_data.get(name)
            if name == "clean_record":
                value = {"yes": True, "no": False}.get(value or "")
            elif name not in ("year_of_study", "grade_average"):
                value = value or ""
            fields[name] = value
        return fields

    def preferences(self, *, only_valid: bool = False) -> list[int] | None:
        """Destination ids in rank order (empty ranks closed up); None when a rank has an error and
        ``only_valid``."""
        names = [f"{PREFERENCE_PREFIX}{rank}" for rank in self.ranks]
        if only_valid and any(not self._valid(name) for name in names):
            return None
        return [int(v) for v in (self.cleaned_data.get(name) for name in names) if v]

    def answers(self, *, only_valid: bool = False) -> dict[str, str] | None:
        names = [f"{ANSWER_PREFIX}{q.pk}" for q in self.questions]
        if only_valid and any(not self._valid(name) for name in names):
            return None
        return {
            name[len(ANSWER_PREFIX) :]: self.cleaned_data.get(name) or ""
            for name in names
            if name in self.cleaned_data
        }

    def attach(self, errors: dict[str, list[str]]) -> None:
        """Show a service's ``ValidationError`` on the fields it names."""
        for name, messages in errors.items():
            if name == "preferences":
                self.add_error(f"{PREFERENCE_PREFIX}1" if self.ranks else None, messages)
            elif name == "answers":
                self.add_error(None, messages)
            elif name in self.fields:
                self.add_error(name, messages)
            else:
                self.add_error(None, messages)


class UploadForm(forms.Form):
    """One document for the application: its kind and the file."""

    kind = forms.ChoiceField(label=_("Kind of document"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("File"),
        required=False,
        help_text=_("PDF, Word, Excel, PNG or JPEG."),
    )

    def __init__(self, *args: Any, call: Call | None = None, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "upload")
        super().__init__(*args, **kwargs)
        if call is not None and call.required_documents:
            labels = dict(DocumentKind.choices)
            required = [(k, labels[k]) for k in call.required_documents if k in labels]
            others = [(k, v) for k, v in DocumentKind.choices if k not in call.required_documents]
            cast(forms.ChoiceField, self.fields["kind"]).choices = required + others
