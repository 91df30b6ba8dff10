"""Rule packs: rules as data, versioned per context ("travel", "visitors", …).

A context registers its rule *definitions* in code
(``rule_packs.pack("travel").register(RuleDefinition(...))``): code, label, description, typed parameters
with defaults, default severity, legal source and an ``evaluate`` function that looks at a plain facts object
and returns an ``Outcome`` whose message is built in the current language when it is shown. What a site may
change without code (on or off, severity, parameter values, source) lives in ``RuleSetVersion``/
``RuleSetting`` rows: a published version is never changed, publishing makes a new current version, and the
first use of a context installs version 1 from the definitions' defaults.

Severities (``RuleSeverity``): ``block`` stops the case; ``justify`` stops it until a written justification is
given; ``warn`` only informs. ``evaluate`` may lower a failing rule to ``warn`` for one case (nothing known to
check against, for example).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from contextlib import suppress
from contextvars import ContextVar
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from meridian.core.i18n import is_chinese, localised
from meridian.workflow.choices import RuleSeverity

PASS = "pass"
FAIL = "fail"
NOT_APPLICABLE = "not_applicable"
LANGUAGES = ("en", "zh-hans")

PARAM_KINDS = ("int", "decimal", "bool", "str", "codes")
_CODE = re.compile(r"^[A-Za-z0-9_-]{1,20}$")
_TRUE = {"1", "true", "yes", "on", "y", "是"}
_FALSE = {"0", "false", "no", "off", "n", "", "否"}


# --- messages that render in whatever language is active -------------------------------------------------


class Localised:
    """A value with an English and a Chinese form; ``str()`` gives the form of the active language."""

    __slots__ = ("en", "zh")

    def __init__(self, en: str, zh: str = "") -> None:
        self.en, self.zh = en, zh

    def __str__(self) -> str:
        return localised(self.en, self.zh)


class Joined:
    """A list shown as one phrase: "a, b, c" in English, "a、b、c" in Chinese."""

    __slots__ = ("items",)

    def __init__(self, items: Iterable[Any]) -> None:
        self.items = list(items)

    def __str__(self) -> str:
        return ("、" if is_chinese() else ", ").join(str(i) for i in self.items)


class Message:
    """A translatable template (``gettext_lazy``) with named parameters, rendered on ``str()`` in the active
    language. Parameter values may be lazy strings, ``Localised`` or ``Joined`` values."""

    __slots__ = ("template", "params")

    def __init__(self, template: Any, **params: Any) -> None:
        self.template, self.params = template, params

    def __str__(self) -> str:
        text = str(self.template)
        if not self.params:
            return text
        values = {k: v if isinstance(v, int | float | Decimal) else str(v) for k, v in self.params.items()}
        return text % values


@dataclass(frozen=True)
class Outcome:
    """What ``evaluate`` returns: ``outcome`` (pass, fail, not_applicable), the message, and optionally a
    severity that replaces the configured one for this case (only ever lower: ``warn``)."""

    outcome: str
    message: Message | str
    severity: str | None = None


def passed(template: Any, **params: Any) -> Outcome:
    return Outcome(PASS, Message(template, **params))


def failed(template: Any, *, severity: str | None = None, **params: Any) -> Outcome:
    return Outcome(FAIL, Message(template, **params), severity=severity)


def not_applicable(template: Any, **params: Any) -> Outcome:
    return Outcome(NOT_APPLICABLE, Message(template, **params))


# --- definitions ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Param:
    """A typed parameter: ``kind`` is int (whole number ≥ 0), decimal (≥ 0, kept as a string in JSON), bool,
    str, or codes (a list of short codes such as ISO country codes or UN M49 region codes)."""

    name: str
    kind: str
    default: Any
    label: Any
    help: Any = ""

    def __post_init__(self) -> None:
        if self.kind not in PARAM_KINDS:
            raise ValueError(f"Unknown parameter kind {self.kind!r}")

    def parse(self, raw: Any) -> Any:
        """The value from form text or stored JSON; raises ``ValueError`` with a message naming the value."""
        if self.kind == "int":
            if isinstance(raw, bool):
                raise ValueError(_("“%(value)s” is not a whole number.") % {"value": raw})
            text = str(raw).strip()
            if not re.fullmatch(r"\+?\d+", text):
                raise ValueError(_("“%(value)s” is not a whole number (0 or more).") % {"value": text})
            return int(text)
        if self.kind == "decimal":
            text = str(raw).strip().replace(",", "")
            try:
                number = Decimal(text)
            except InvalidOperation:
                raise ValueError(_("“%(value)s” is not a number.") % {"value": text}) from None
            if not number.is_finite() or number < 0:
                raise ValueError(_("“%(value)s” is not a number of 0 or more.") % {"value": text})
            return number
        if self.kind == "bool":
            if isinstance(raw, bool):
                return raw
            text = str(raw).strip().lower()
            if text in _TRUE:
                return True
            if text in _FALSE:
                return False
            raise ValueError(_("“%(value)s” is not yes or no.") % {"value": raw})
        if self.kind == "codes":
            items = raw if isinstance(raw, list | tuple) else re.split(r"[\s,;、，]+", str(raw))
            codes = []
            for item in items:
                text = str(item).strip()
                if not text:
                    continue
                if not _CODE.match(text):
                    raise ValueError(
                        _("“%(value)s” is not a code (letters, digits, - or _).") % {"value": text}
                    )
                codes.append(text.upper())
            return codes
        return str(raw).strip()

    def to_json(self, value: Any) -> Any:
        return str(value) if self.kind == "decimal" else value

    def display(self, value: Any) -> str:
        if self.kind == "codes":
            return ", ".join(value)
        if self.kind == "bool":
            return str(_("yes") if value else _("no"))
        return str(value)


@dataclass(frozen=True)
class Source:
    """Where a rule comes from: the document (number and title), the article, and a link."""

    document: Any = ""
    article: Any = ""
    url: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"document": str(self.document), "article": str(self.article), "url": self.url}


@dataclass(frozen=True)
class RuleDefinition:
    """One rule of a pack. ``evaluate(facts, params) -> Outcome``; ``None`` makes a settings-only entry
    (parameters other parts of the context read, such as a publicity length), never evaluated."""

    code: str
    label: Any
    description: Any = ""
    severity: str = RuleSeverity.BLOCK
    params: tuple[Param, ...] = ()
    source: Source = field(default_factory=Source)
    evaluate: Callable[[Any, dict[str, Any]], Outcome] | None = None

    def param(self, name: str) -> Param:
        for p in self.params:
            if p.name == name:
                return p
        raise KeyError(f"{self.code}.{name}")

    def defaults(self) -> dict[str, Any]:
        return {p.name: p.default for p in self.params}


class RulePack:
    """The rule definitions of one context, in the order they are shown and evaluated."""

    def __init__(self, context: str, label: Any = "") -> None:
        self.context = context
        self.label = label or context
        self._rules: dict[str, RuleDefinition] = {}

    def register(self, definition: RuleDefinition) -> RuleDefinition:
        """Add (or, when the module is imported again, replace) a definition."""
        self._rules[definition.code] = definition
        return definition

    def unregister(self, code: str) -> None:
        self._rules.pop(code, None)

    def get(self, code: str) -> RuleDefinition:
        """The definition ``code``; raises ``KeyError``."""
        return self._rules[code]

    def __contains__(self, code: object) -> bool:
        return code in self._rules

    def __iter__(self) -> Iterator[RuleDefinition]:
        return iter(list(self._rules.values()))

    @property
    def evaluated(self) -> list[RuleDefinition]:
        return [d for d in self._rules.values() if d.evaluate is not None]

    @property
    def settings_only(self) -> list[RuleDefinition]:
        return [d for d in self._rules.values() if d.evaluate is None]


class RulePackRegistry:
    def __init__(self) -> None:
        self._packs: dict[str, RulePack] = {}

    def pack(self, context: str, label: Any = "") -> RulePack:
        """The pack of ``context``, created on first use."""
        pack = self._packs.get(context)
        if pack is None:
            pack = self._packs[context] = RulePack(context, label)
        elif label:
            pack.label = label
        return pack

    def get(self, context: str) -> RulePack:
        """The registered pack of ``context``; raises ``KeyError``."""
        return self._packs[context]

    def __contains__(self, context: object) -> bool:
        return context in self._packs

    def __iter__(self) -> Iterator[RulePack]:
        return iter(list(self._packs.values()))


rule_packs = RulePackRegistry()


# --- configured rule sets ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class ConfiguredRule:
    """A definition as one rule-set version configures it."""

    definition: RuleDefinition
    enabled: bool
    severity: str
    params: dict[str, Any]
    source: Source

    @property
    def code(self) -> str:
        return self.definition.code


@dataclass(frozen=True)
class RuleSet:
    """A context's rules as one version configures them (``number`` None: defaults, nothing installed)."""

    context: str
    number: int | None
    rules: dict[str, ConfiguredRule]

    def parameter(self, code: str, name: str) -> Any:
        """A parameter's value; raises ``KeyError`` for an unknown rule or parameter."""
        return self.rules[code].params[name]

    def __iter__(self) -> Iterator[ConfiguredRule]:
        return iter(self.rules.values())


def _configured(definition: RuleDefinition, setting: Any | None) -> ConfiguredRule:
    params = definition.defaults()
    if setting is None:
        return ConfiguredRule(definition, True, definition.severity, params, definition.source)
    stored = setting.parameters or {}
    for p in definition.params:
        if p.name in stored:
            # A stored value the definition no longer accepts falls back to its default.
            with suppress(ValueError):
                params[p.name] = p.parse(stored[p.name])
    default = definition.source
    source = Source(
        setting.source_document or default.document,
        setting.source_article or default.article,
        setting.source_url or default.url,
    )
    severity = setting.severity if setting.severity in RuleSeverity.values else definition.severity
    return ConfiguredRule(definition, setting.enabled, severity, params, source)


def _build(pack: RulePack, number: int | None, settings: Iterable[Any]) -> RuleSet:
    by_code = {s.code: s for s in settings}
    rules = {d.code: _configured(d, by_code.get(d.code)) for d in pack}
    return RuleSet(pack.context, number, rules)


def ruleset_install(context: str) -> Any:
    """Install version 1 of ``context`` from the definitions' defaults unless a version exists; returns the
    current version. Safe when two requests try at once (the loser reads the winner's version)."""
    from meridian.workflow.models import RuleSetVersion

    current = RuleSetVersion.objects.filter(context=context, is_current=True).first()
    if current is not None:
        return current
    pack = rule_packs.get(context)
    try:
        with transaction.atomic():
            version = RuleSetVersion.objects.create(
                context=context,
                number=1,
                note=_("Installed from the defaults"),
                is_current=True,
            )
            _write_settings(version, pack, {})
    except IntegrityError:
        return RuleSetVersion.objects.get(context=context, is_current=True)
    return version


def _write_settings(version: Any, pack: RulePack, settings: dict[str, dict[str, Any]]) -> None:
    from meridian.workflow.models import RuleSetting

    rows = []
    for d in pack:
        given = settings.get(d.code, {})
        params = {**d.defaults(), **given.get("parameters", {})}
        source = given.get("source") or {}
        rows.append(
            RuleSetting(
                version=version,
                code=d.code,
                enabled=given.get("enabled", True),
                severity=given.get("severity", d.severity),
                parameters={p.name: p.to_json(params[p.name]) for p in d.params},
                source_document=source.get("document", ""),
                source_article=source.get("article", ""),
                source_url=source.get("url", ""),
            )
        )
    RuleSetting.objects.bulk_create(rows)


# Published versions never change, so a built rule set is kept per process, keyed by the version's identity;
# asking for the current one costs one small query. While rules are evaluated the rule set in use is also
# "active", so that parameters read during the evaluation (by selectors the rules call) cost nothing.
_built: dict[str, tuple[tuple[Any, ...], RuleSet]] = {}
_active: ContextVar[RuleSet | None] = ContextVar("rulepack_active", default=None)


def ruleset_current(context: str) -> RuleSet:
    """The current rule set of ``context`` (version 1 is installed on first use).

    Raises ``KeyError`` for a context that registered no pack.
    """
    from meridian.workflow.models import RuleSetVersion

    active = _active.get()
    if active is not None and active.context == context:
        return active
    pack = rule_packs.get(context)
    row = (
        RuleSetVersion.objects.filter(context=context, is_current=True)
        .values_list("pk", "number", "published_at")
        .first()
    )
    if row is None:
        version = ruleset_install(context)
        row = (version.pk, version.number, version.published_at)
    key = (*row, len(pack._rules))
    cached = _built.get(context)
    if cached is not None and cached[0] == key:
        return cached[1]
    version = RuleSetVersion.objects.prefetch_related("settings").get(pk=row[0])
    ruleset = _build(pack, version.number, version.settings.all())
    _built[context] = (key, ruleset)
    return ruleset


def ruleset_version(context: str, number: int) -> RuleSet:
    """Version ``number`` of ``context`` as it was published; raises ``RuleSetVersion.DoesNotExist``."""
    from meridian.workflow.models import RuleSetVersion

    version = RuleSetVersion.objects.prefetch_related("settings").get(context=context, number=number)
    return _build(rule_packs.get(context), version.number, version.settings.all())


def _source_url_ok(url: str) -> bool:
    return not url or url.startswith(("https://", "http://"))


def ruleset_validate(context: str, settings: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Check and normalise settings ``{code: {enabled, severity, parameters: {name: raw}, source: {…}}}``.

    Returns them with parsed parameter values; raises ``ValidationError`` whose messages name the rule, the
    parameter and the refused value ("Delegation size, Most people: “six” is not a whole number.").
    """
    pack = rule_packs.get(context)
    errors: list[str] = []
    clean: dict[str, dict[str, Any]] = {}
    for code, given in settings.items():
        if code not in pack:
            errors.append(_("There is no rule “%(code)s”.") % {"code": code})
            continue
        d = pack.get(code)
        severity = given.get("severity", d.severity)
        if severity not in RuleSeverity.values:
            errors.append(
                _("%(rule)s: “%(value)s” is not a severity.") % {"rule": d.label, "value": severity}
            )
        params: dict[str, Any] = {}
        for name, raw in (given.get("parameters") or {}).items():
            try:
                p = d.param(name)
            except KeyError:
                errors.append(_("%(rule)s has no parameter “%(name)s”.") % {"rule": d.label, "name": name})
                continue
            try:
                params[name] = p.parse(raw)
            except ValueError as exc:
                errors.append(
                    _("%(rule)s, %(param)s: %(error)s") % {"rule": d.label, "param": p.label, "error": exc}
                )
        source = {k: str(v or "").strip() for k, v in (given.get("source") or {}).items()}
        if not _source_url_ok(source.get("url", "")):
            errors.append(_("%(rule)s: the link must start with https:// or http://.") % {"rule": d.label})
        clean[code] = {
            "enabled": bool(given.get("enabled", True)),
            "severity": severity,
            "parameters": params,
            "source": source,
        }
    if errors:
        raise ValidationError(errors)
    return clean


@transaction.atomic
def ruleset_publish(*, context: str, actor: Any, settings: dict[str, dict[str, Any]], note: str = "") -> Any:
    """Publish a new current version of ``context``'s rule set and return it (a ``RuleSetVersion``).

    ``settings`` as in ``ruleset_validate``; rules not given keep their current configuration. Earlier
    versions are left exactly as they were. Only administrators may publish. Raises
    ``PermissionDeniedError``, ``ValidationError`` (bad values, every one listed), ``KeyError`` (unknown
    context).
    """
    from meridian.accounts.permissions import is_administrator
    from meridian.core.activity import activity_record
    from meridian.core.errors import PermissionDeniedError
    from meridian.workflow.models import RuleSetVersion

    if actor is not None and not is_administrator(actor):
        raise PermissionDeniedError(_("Only administrators may change the rules."))
    pack = rule_packs.get(context)
    clean = ruleset_validate(context, settings)
    ruleset_install(context)
    current = RuleSetVersion.objects.select_for_update().get(context=context, is_current=True)
    base = _build(pack, current.number, current.settings.all())
    merged: dict[str, dict[str, Any]] = {}
    for rule in base:
        given = clean.get(rule.code)
        source = given["source"] if given is not None else _stored_source(current, rule.code)
        merged[rule.code] = {
            "enabled": given["enabled"] if given else rule.enabled,
            "severity": given["severity"] if given else rule.severity,
            "parameters": {**rule.params, **(given["parameters"] if given else {})},
            "source": source,
        }
    highest = (
        RuleSetVersion.objects.filter(context=context).order_by("-number").values_list("number", flat=True)
    )
    number = (highest.first() or 0) + 1
    current.is_current = False
    current.save(update_fields=["is_current"])
    version = RuleSetVersion.objects.create(
        context=context,
        number=number,
        note=note.strip()[:300],
        published_at=timezone.now(),
        published_by=actor,
        is_current=True,
    )
    _write_settings(version, pack, merged)
    activity_record(
        target=version,
        verb="published",
        actor=actor,
        message=lambda: (
            _("Rule set %(context)s version %(number)s published") % {"context": pack.label, "number": number}
        ),
        comment=note,
    )
    return version


def _stored_source(version: Any, code: str) -> dict[str, str]:
    setting = next((s for s in version.settings.all() if s.code == code), None)
    if setting is None:
        return {}
    return {"document": setting.source_document, "article": setting.source_article, "url": setting.source_url}


def ruleset_versions(context: str) -> Any:
    """Every version of ``context``, newest first, with its settings and publisher (a fixed number of
    queries)."""
    from meridian.workflow.models import RuleSetVersion

    return (
        RuleSetVersion.objects.filter(context=context)
        .select_related("published_by")
        .prefetch_related("settings")
        .order_by("-number")
    )


def version_changes(context: str, older: Any | None, newer: Any) -> list[str]:
    """What ``newer`` changed against ``older`` (two ``RuleSetVersion`` rows with prefetched settings), as
    sentences in the active language: rules switched on or off, severities, parameter values, sources."""
    pack = rule_packs.get(context)
    if older is None:
        return []
    old = _build(pack, older.number, older.settings.all()).rules
    new = _build(pack, newer.number, newer.settings.all()).rules
    lines: list[str] = []
    for code, rule in new.items():
        before = old.get(code)
        if before is None:
            continue
        label = rule.definition.label
        if before.enabled != rule.enabled:
            lines.append(
                (_("%(rule)s switched on") if rule.enabled else _("%(rule)s switched off")) % {"rule": label}
            )
        if before.severity != rule.severity:
            lines.append(
                _("%(rule)s: severity %(old)s → %(new)s")
                % {
                    "rule": label,
                    "old": RuleSeverity(before.severity).label,
                    "new": RuleSeverity(rule.severity).label,
                }
            )
        for p in rule.definition.params:
            if before.params.get(p.name) != rule.params.get(p.name):
                lines.append(
                    _("%(rule)s, %(param)s: %(old)s → %(new)s")
                    % {
                        "rule": label,
                        "param": p.label,
                        "old": p.display(before.params.get(p.name)),
                        "new": p.display(rule.params.get(p.name)),
                    }
                )
        if before.source.as_dict() != rule.source.as_dict():
            lines.append(_("%(rule)s: source changed") % {"rule": label})
    return lines


# --- evaluation -------------------------------------------------------------------------------------------


def _texts(rule: ConfiguredRule, outcome: Outcome) -> dict[str, Any]:
    return {
        "label": str(rule.definition.label),
        "message": str(outcome.message),
        "source": rule.source.as_dict(),
    }


def evaluate(
    context: str,
    facts: Any,
    *,
    ruleset: RuleSet | None = None,
    justifications: dict[str, str] | None = None,
    languages: Iterable[str] = (),
) -> list[dict[str, Any]]:
    """Run every enabled rule of ``context`` on ``facts``; one dict per rule, in the pack's order:

    ``code``, ``label``, ``severity`` (block, justify, warn), ``outcome`` (pass, fail, not_applicable),
    ``message``, ``source`` {document, article, url}, ``justification`` (text or ""), ``blocking`` (a failing
    block rule, or a failing justify rule without a justification) and, for each of ``languages``,
    ``i18n[lang]`` = {label, message, source} rendered in that language (for results that are stored).
    """
    ruleset = ruleset or ruleset_current(context)
    justifications = justifications or {}
    token = _active.set(ruleset)
    try:
        return _evaluate(ruleset, facts, justifications, tuple(languages))
    finally:
        _active.reset(token)


def _evaluate(
    ruleset: RuleSet, facts: Any, justifications: dict[str, str], languages: tuple[str, ...]
) -> list[dict[str, Any]]:
    results = []
    for rule in ruleset:
        d = rule.definition
        if d.evaluate is None or not rule.enabled:
            continue
        outcome = d.evaluate(facts, rule.params)
        severity = outcome.severity or rule.severity
        justification = str(justifications.get(d.code) or "").strip()
        blocking = outcome.outcome == FAIL and (
            severity == RuleSeverity.BLOCK or (severity == RuleSeverity.JUSTIFY and not justification)
        )
        result: dict[str, Any] = {
            "code": d.code,
            **_texts(rule, outcome),
            "severity": severity,
            "outcome": outcome.outcome,
            "justification": justification if severity == RuleSeverity.JUSTIFY else "",
            "blocking": blocking,
        }
        if languages:
            i18n = {}
            for language in languages:
                with translation.override(language):
                    i18n[language] = _texts(rule, outcome)
            result["i18n"] = i18n
        results.append(result)
    return results


def blocking_messages(results: Iterable[dict[str, Any]]) -> list[str]:
    """The messages of the results that stop the case now (``blocking``)."""
    return [r["message"] for r in results if r.get("blocking")]


def localised_result(result: dict[str, Any]) -> dict[str, Any]:
    """A stored result with label, message and source in the active language when it was stored with them."""
    language = translation.get_language() or "en"
    i18n = result.get("i18n") or {}
    texts = (
        i18n.get(language)
        or i18n.get(language.split("-")[0])
        or (i18n.get("zh-hans") if language.startswith("zh") else i18n.get("en"))
    )
    return {**result, **texts} if texts else result


SEVERITY_LABELS = {
    RuleSeverity.BLOCK: gettext_lazy("Blocks"),
    RuleSeverity.JUSTIFY: gettext_lazy("Needs justification"),
    RuleSeverity.WARN: gettext_lazy("Warning"),
}
