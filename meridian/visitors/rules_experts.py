"""The foreign-experts rule pack (context ``experts``) on the generic rule-pack platform
(``meridian.workflow.rulepack``): the criteria of the work-permit categories, the short-stay rule and the
deadline parameters of a hiring case.

Work permits for foreigners (外国人来华工作许可) fall into three categories under the classification standard
of the State Administration of Foreign Experts Affairs (外国人来华工作分类标准（试行）, 2017): A, high-end
talent (recognised talent programmes, internationally recognised achievements, a salary of several times the
local average, or 85 points and more on the points system); B, professionals (as a rule a bachelor's degree
or above with at least two years of relevant work experience, up to age 60, or 60 points and more); C,
others, within the quotas the state sets. Provinces apply the standard with their own numbers, so every
threshold here is a parameter that administrators change on the rules page (``visitors:expert_rules``);
publishing makes a new rule-set version, and each stored result names the version it was checked against.

Every rule evaluates a plain ``ExpertFacts`` built from a hiring case (``facts_from_hiring``). Failing
category criteria need a written justification from the office (severity ``justify``: an exception the
authorities granted, a points score, …); a contract under 90 days blocks, because short-term experts come
through a visit with an invitation letter instead.

Public interface: ``CONTEXT``, ``parameter(code, name)``, ``criteria_check(hiring, save=False)``,
``blocking_messages(hiring)``, ``justifications(hiring)``, ``age_on(birth_date, day)``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meridian.visitors.choices import DEGREE_ORDER, Degree, PermitCategory
from meridian.workflow.choices import RuleSeverity
from meridian.workflow.rulepack import (
    LANGUAGES,
    Joined,
    Message,
    Outcome,
    Param,
    RuleDefinition,
    Source,
    evaluate,
    failed,
    not_applicable,
    passed,
    rule_packs,
    ruleset_current,
)
from meridian.workflow.rulepack import blocking_messages as _blocking

CONTEXT = "experts"
BLOCK, JUSTIFY, WARN = RuleSeverity.BLOCK, RuleSeverity.JUSTIFY, RuleSeverity.WARN

# --- sources ---------------------------------------------------------------------------------------------

CLASSIFICATION = Source(
    _(
        "State Administration of Foreign Experts Affairs: classification standard for foreigners working in "
        "China (外国人来华工作分类标准（试行）, 2017)"
    ),
    _("categories A (high-end talent), B (professionals) and C (others); thresholds as applied locally"),
    "",
)
UNIVERSITY = Source(
    _("Liaocheng University: management of foreign experts"),
    "",
    "https://xxgk.lcu.edu.cn/xxgkml/dwhzyjlf/364824.htm",
)
SERVICE_GUIDE = Source(
    _("Service guide for foreigners' work permits (外国人来华工作许可服务指南（暂行）, 2017)"),
    _("application ahead of the start, residence permit within 30 days of entry, changes, renewal"),
    "",
)


# --- facts -----------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ExpertFacts:
    """What the rules look at: the permit category (A, B, C or ""), the highest degree (a ``Degree`` value or
    ""), years of relevant experience, age in whole years at the contract start, annual salary in CNY, the
    talent programme named on the case, and the contract's length in calendar days (both ends counted)."""

    category: str = ""
    degree: str = ""
    experience_years: int | None = None
    age: int | None = None
    annual_salary: Decimal | None = None
    talent_programme: str = ""
    contract_days: int | None = None


def age_on(birth_date: date | None, day: date | None) -> int | None:
    """Age in whole years on ``day`` (None when either date is unknown)."""
    if birth_date is None or day is None:
        return None
    years = day.year - birth_date.year
    if (day.month, day.day) < (birth_date.month, birth_date.day):
        years -= 1
    return years


def contract_days(starts_on: date | None, ends_on: date | None) -> int | None:
    """Calendar days of a contract, the first and the last day counted; None when a date is missing."""
    if starts_on is None or ends_on is None:
        return None
    return (ends_on - starts_on).days + 1


def facts_from_hiring(hiring: Any) -> ExpertFacts:
    """The facts of a saved or unsaved ``ExpertHiring``; the age is the candidate's at the contract start."""
    person = hiring.person if getattr(hiring, "person_id", None) else None
    return ExpertFacts(
        category=hiring.permit_category or "",
        degree=hiring.degree or "",
        experience_years=hiring.experience_years,
        age=age_on(getattr(person, "birth_date", None), hiring.contract_starts_on),
        annual_salary=hiring.annual_salary,
        talent_programme=(hiring.talent_programme or "").strip(),
        contract_days=contract_days(hiring.contract_starts_on, hiring.contract_ends_on),
    )


# --- rules -----------------------------------------------------------------------------------------------


def category_chosen(facts: ExpertFacts, params: dict[str, Any]) -> Outcome:
    if facts.category in PermitCategory.values:
        return passed(_("Work permit category %(category)s."), category=facts.category)
    return failed(_("Choose the work permit category (A, B or C)."))


def short_stay(facts: ExpertFacts, params: dict[str, Any]) -> Outcome:
    """A contract under ``min_days`` calendar days is a short-term stay: a visit with an invitation letter."""
    if facts.contract_days is None:
        return not_applicable(_("The contract dates are not entered yet."))
    if facts.contract_days < params["min_days"]:
        return failed(
            _(
                "The contract lasts %(days)s days, under %(min)s: use a visit with an invitation letter "
                "instead of a work permit."
            ),
            days=facts.contract_days,
            min=params["min_days"],
        )
    return passed(_("The contract lasts %(days)s days."), days=facts.contract_days)


def _shortfalls(facts: ExpertFacts, params: dict[str, Any]) -> list[Message] | Outcome:
    """Each criterion of ``params`` the facts miss, as a message; an ``Outcome`` for a misconfigured rule."""
    problems: list[Message] = []
    if "min_degree" in params:
        needed = params["min_degree"] or Degree.NONE
        if needed not in DEGREE_ORDER:
            return failed(
                _("The rule's minimum degree “%(value)s” is not one of none, bachelor, master, doctorate."),
                severity=WARN,
                value=needed,
            )
        if not facts.degree:
            problems.append(Message(_("the highest degree is not entered")))
        elif DEGREE_ORDER.get(facts.degree, 0) < DEGREE_ORDER[needed]:
            problems.append(
                Message(
                    _("%(have)s is below the required %(need)s"),
                    have=Degree(facts.degree).label,
                    need=Degree(needed).label,
                )
            )
    minimum = params.get("min_experience_years", 0)
    if minimum:
        if facts.experience_years is None:
            problems.append(Message(_("the years of experience are not entered")))
        elif facts.experience_years < minimum:
            problems.append(
                Message(
                    _("%(have)s years of relevant experience, %(need)s needed"),
                    have=facts.experience_years,
                    need=minimum,
                )
            )
    oldest = params.get("max_age", 0)
    if oldest:
        if facts.age is None:
            problems.append(Message(_("the date of birth is unknown")))
        elif facts.age > oldest:
            problems.append(Message(_("aged %(age)s at the start, over %(max)s"), age=facts.age, max=oldest))
    salary = params.get("min_annual_salary", Decimal(0))
    if salary:
        if facts.annual_salary is None:
            problems.append(Message(_("the annual salary is not entered")))
        elif facts.annual_salary < salary:
            problems.append(
                Message(
                    _("an annual salary of %(have)s CNY, below %(need)s CNY"),
                    have=f"{facts.annual_salary:,.0f}",
                    need=f"{salary:,.0f}",
                )
            )
    return problems


def _category_rule(category: str):
    def rule(facts: ExpertFacts, params: dict[str, Any]) -> Outcome:
        if facts.category != category:
            return not_applicable(_("Applies to category %(category)s permits."), category=category)
        if params.get("talent_programme_qualifies") and facts.talent_programme:
            return passed(_("Recognised talent programme: %(programme)s."), programme=facts.talent_programme)
        problems = _shortfalls(facts, params)
        if isinstance(problems, Outcome):
            return problems
        if problems:
            return failed(
                _("Category %(category)s criteria not met: %(reasons)s."),
                category=category,
                reasons=Joined(problems),
            )
        return passed(_("Meets the category %(category)s criteria."), category=category)

    return rule


def category_c_quota(facts: ExpertFacts, params: dict[str, Any]) -> Outcome:
    if facts.category != PermitCategory.C:
        return not_applicable(_("Applies to category C permits."))
    return failed(
        _(
            "Category C permits are granted within the quota the state sets each year: confirm with the "
            "foreign experts' authority that a place is available."
        )
    )


def _criteria_params(
    *, degree: str, experience: int, age: int, salary: str, degree_help: Any = ""
) -> tuple[Param, ...]:
    return (
        Param(
            "min_degree",
            "str",
            degree,
            _("Minimum degree"),
            degree_help or _("none, bachelor, master or doctorate"),
        ),
        Param(
            "min_experience_years", "int", experience, _("Minimum years of relevant experience"), _("0: none")
        ),
        Param("max_age", "int", age, _("Maximum age at the contract start"), _("0: no limit")),
        Param(
            "min_annual_salary",
            "decimal",
            Decimal(salary),
            _("Minimum annual salary (CNY)"),
            _("A multiple of the local average annual wage, as your province applies it; 0: not checked."),
        ),
    )


PACK = rule_packs.pack(CONTEXT, _("Foreign experts"))


def _register() -> None:
    r = PACK.register
    r(
        RuleDefinition(
            "category_chosen",
            _("Work permit category chosen"),
            _("A hiring case names the category of work permit it applies for."),
            BLOCK,
            (),
            CLASSIFICATION,
            category_chosen,
        )
    )
    r(
        RuleDefinition(
            "short_stay",
            _("Not a short-term stay"),
            _(
                "Experts staying under this many days come through a visit with an invitation letter, not a "
                "work permit."
            ),
            BLOCK,
            (Param("min_days", "int", 90, _("Shortest contract (calendar days)")),),
            UNIVERSITY,
            short_stay,
        )
    )
    r(
        RuleDefinition(
            "category_a",
            _("Category A criteria"),
            _(
                "High-end talent: a recognised talent programme, or the degree, experience, age and salary "
                "thresholds (the salary default stands for six times a local average of about 100,000 CNY)."
            ),
            JUSTIFY,
            (
                Param(
                    "talent_programme_qualifies",
                    "bool",
                    True,
                    _("A recognised talent programme qualifies on its own"),
                ),
                *_criteria_params(degree="bachelor", experience=0, age=0, salary="600000"),
            ),
            CLASSIFICATION,
            _category_rule(PermitCategory.A),
        )
    )
    r(
        RuleDefinition(
            "category_b",
            _("Category B criteria"),
            _(
                "Professionals: a bachelor's degree or above, at least two years of relevant work "
                "experience, aged 60 or under, and a salary at least the local threshold."
            ),
            JUSTIFY,
            _criteria_params(degree="bachelor", experience=2, age=60, salary="100000"),
            CLASSIFICATION,
            _category_rule(PermitCategory.B),
        )
    )
    r(
        RuleDefinition(
            "category_c",
            _("Category C criteria"),
            _("Other foreign workers: the age limit applies."),
            JUSTIFY,
            (Param("max_age", "int", 60, _("Maximum age at the contract start"), _("0: no limit")),),
            CLASSIFICATION,
            _category_rule(PermitCategory.C),
        )
    )
    r(
        RuleDefinition(
            "category_c_quota",
            _("Category C quota"),
            _("Category C permits are granted within a yearly quota; the office confirms a place."),
            WARN,
            (),
            CLASSIFICATION,
            category_c_quota,
        )
    )
    # Settings the deadlines read (``deadlines_experts``); shown and edited on the same page, never evaluated.
    r(
        RuleDefinition(
            "deadlines",
            _("Deadlines of a hiring case"),
            _(
                "Apply for the work permit this many days before the contract starts; the residence permit "
                "within this many days of entry; changes reported within this many working days; renewal "
                "started this many days before the contract or the permit ends."
            ),
            WARN,
            (
                Param("permit_lead_days", "int", 90, _("Permit application: days before the start")),
                Param("residence_permit_days", "int", 30, _("Residence permit: days after entry")),
                Param("change_working_days", "int", 10, _("Report a change: working days")),
                Param("renewal_days", "int", 30, _("Renewal: days before the end")),
            ),
            SERVICE_GUIDE,
        )
    )


_register()

DEFAULT_PARAMETERS: dict[str, dict[str, Any]] = {d.code: d.defaults() for d in PACK}


# --- interface -------------------------------------------------------------------------------------------


def parameter(code: str, name: str) -> Any:
    """The value of parameter ``name`` of rule ``code`` in the current rule set of ``experts``. Raises
    ``KeyError`` for an unknown rule or parameter."""
    return ruleset_current(CONTEXT).parameter(code, name)


def justifications(hiring: Any) -> dict[str, str]:
    """The written justifications kept with the stored criteria results: ``{rule code: text}``."""
    found: dict[str, str] = {}
    for result in hiring.criteria_results or []:
        text = str(result.get("justification") or "").strip()
        if text:
            found[result["code"]] = text
    return found


def criteria_check(hiring: Any, save: bool = False, *, extra: dict[str, str] | None = None) -> list[dict]:
    """Evaluate the experts rules on ``hiring``: one dict per rule in force (``code``, ``label``,
    ``severity`` block|justify|warn, ``outcome`` pass|fail|not_applicable, ``message``, ``source``,
    ``justification``, ``blocking``, ``version``).

    Justifications given earlier (kept in ``criteria_results``) carry over, ``extra`` adds or replaces some.
    With ``save`` the results, in English and Chinese, are stored on ``hiring.criteria_results`` (without
    touching its version or history) and on the object.
    """
    from meridian.visitors.models import ExpertHiring

    ruleset = ruleset_current(CONTEXT)
    given = {**justifications(hiring), **(extra or {})}
    results = evaluate(
        CONTEXT,
        facts_from_hiring(hiring),
        ruleset=ruleset,
        justifications=given,
        languages=LANGUAGES if save else (),
    )
    for result in results:
        result["version"] = ruleset.number
        result["checked_on"] = timezone.localdate().isoformat()
    if save and hiring.pk is not None:
        ExpertHiring.objects.filter(pk=hiring.pk).update(criteria_results=results)
        hiring.criteria_results = results
    return results


def blocking_messages(hiring: Any) -> list[str]:
    """What stops the qualification now: failing ``block`` rules and failing ``justify`` rules without a
    justification, evaluated fresh against the current rule set."""
    return _blocking(criteria_check(hiring, save=False))
