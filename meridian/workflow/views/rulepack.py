"""The rule-pack editor: administrators change a context's rules (on/off, severity, parameters, source)
without code; every save publishes a new version, and the page lists the versions with what each changed."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods

from meridian.accounts.permissions import is_administrator
from meridian.core.errors import DomainError
from meridian.workflow.choices import RuleSeverity
from meridian.workflow.rulepack import (
    Param,
    RuleSet,
    rule_packs,
    ruleset_current,
    ruleset_publish,
    ruleset_versions,
    version_changes,
)

SEP = "__"


class _ParamField(forms.CharField):
    """A text field whose value must parse as the rule parameter's kind."""

    def __init__(self, *, param: Param, rule_label: Any, **kwargs: Any) -> None:
        self.param, self.rule_label = param, rule_label
        super().__init__(**kwargs)

    def clean(self, value: Any) -> Any:
        value = super().clean(value)
        try:
            return self.param.parse(value)
        except ValueError as exc:
            raise ValidationError(
                _("%(rule)s, %(param)s: %(error)s")
                % {"rule": self.rule_label, "param": self.param.label, "error": exc}
            ) from None


class RulePackForm(forms.Form):
    """One group of fields per rule of the pack: in force, severity, each parameter, the source override."""

    note = forms.CharField(
        label=gettext_lazy("What changed, and why"),
        max_length=300,
        help_text=gettext_lazy("Kept with the new version, for example the provincial notice you follow."),
    )

    def __init__(self, *args: Any, ruleset: RuleSet, stored: dict[str, Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.ruleset = ruleset
        self.groups: list[dict[str, Any]] = []
        for rule in ruleset:
            d = rule.definition
            names: list[str] = []
            if d.evaluate is not None:
                self.fields[f"{d.code}{SEP}enabled"] = forms.BooleanField(
                    label=gettext_lazy("In force"), required=False, initial=rule.enabled
                )
                self.fields[f"{d.code}{SEP}severity"] = forms.ChoiceField(
                    label=gettext_lazy("If not met"), choices=RuleSeverity.choices, initial=rule.severity
                )
                names += [f"{d.code}{SEP}enabled", f"{d.code}{SEP}severity"]
            for p in d.params:
                name = f"{d.code}{SEP}p{SEP}{p.name}"
                if p.kind == "bool":
                    self.fields[name] = forms.BooleanField(
                        label=p.label, required=False, initial=rule.params[p.name], help_text=p.help
                    )
                else:
                    self.fields[name] = _ParamField(
                        param=p,
                        rule_label=d.label,
                        label=p.label,
                        initial=p.display(rule.params[p.name]),
                        help_text=p.help,
                        required=p.kind not in ("str", "codes"),
                        max_length=2000,
                    )
                names.append(name)
            setting = stored.get(d.code)
            default = d.source.as_dict()
            for part, label, limit in (
                ("document", gettext_lazy("Source: document"), 300),
                ("article", gettext_lazy("Source: article"), 200),
                ("url", gettext_lazy("Source: link"), 500),
            ):
                name = f"{d.code}{SEP}src{SEP}{part}"
                extra: dict[str, Any] = {"assume_scheme": "https"} if part == "url" else {}
                field_class = forms.URLField if part == "url" else forms.CharField
                self.fields[name] = field_class(
                    **extra,
                    label=label,
                    required=False,
                    max_length=limit,
                    initial=getattr(setting, f"source_{part}", "") if setting else "",
                    help_text=_("Empty: %(default)s") % {"default": default[part] or "—"},
                )
                names.append(name)
            self.groups.append({"rule": rule, "definition": d, "names": names})

    def bound_groups(self) -> list[dict[str, Any]]:
        return [
            {
                **g,
                "fields": [self[name] for name in g["names"]],
                "severity_label": RuleSeverity(g["rule"].severity).label,
            }
            for g in self.groups
        ]

    def settings(self) -> dict[str, dict[str, Any]]:
        """The cleaned form as ``ruleset_publish`` settings."""
        data = self.cleaned_data
        result: dict[str, dict[str, Any]] = {}
        for g in self.groups:
            d = g["definition"]
            result[d.code] = {
                "enabled": data.get(f"{d.code}{SEP}enabled", True) if d.evaluate else True,
                "severity": data.get(f"{d.code}{SEP}severity", d.severity),
                "parameters": {p.name: data[f"{d.code}{SEP}p{SEP}{p.name}"] for p in d.params},
                "source": {
                    part: data.get(f"{d.code}{SEP}src{SEP}{part}", "")
                    for part in ("document", "article", "url")
                },
            }
        return result


def require_rule_editor(user: Any) -> None:
    """Only administrators see and change rule sets."""
    if not is_administrator(user):
        raise PermissionDenied


def _history(context: str) -> list[dict[str, Any]]:
    versions = list(ruleset_versions(context))
    rows = []
    for i, version in enumerate(versions):
        older = versions[i + 1] if i + 1 < len(versions) else None
        rows.append({"version": version, "changes": version_changes(context, older, version)})
    return rows


def rulepack_page(
    request: HttpRequest,
    context: str,
    *,
    template: str = "workflow/rulepack/edit.html",
    extra: dict | None = None,
) -> HttpResponse:
    """Show and save the rule set of ``context``; a context's own page (``travel:rules``) calls this."""
    require_rule_editor(request.user)
    if context not in rule_packs:
        raise Http404
    pack = rule_packs.get(context)
    ruleset = ruleset_current(context)
    current = next((row for row in ruleset_versions(context) if row.is_current), None)
    stored = {s.code: s for s in current.settings.all()} if current else {}
    form = RulePackForm(request.POST or None, ruleset=ruleset, stored=stored)
    if request.method == "POST" and form.is_valid():
        try:
            version = ruleset_publish(
                context=context, actor=request.user, settings=form.settings(), note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request,
                _("Version %(number)s of the rules is published; checks from now on use it.")
                % {"number": version.number},
            )
            return redirect(request.path)
    page = {
        "pack": pack,
        "ruleset": ruleset,
        "form": form,
        "groups": form.bound_groups(),
        "history": _history(context),
        **(extra or {}),
    }
    return render(request, template, page, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def rulepack_edit(request: HttpRequest, context: str) -> HttpResponse:
    return rulepack_page(request, context)
