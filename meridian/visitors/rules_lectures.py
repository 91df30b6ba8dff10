"""The outline review of public lectures by foreign speakers: a settings-only entry of the visitors rule pack.

Universities review the outline of a public talk (报告会、讲座) given by a speaker from abroad before it is
announced: the organising unit submits the speaker's details and the outline to the international office a
set number of days ahead (the "一会一报" rule for 哲学社会科学报告会、研讨会、讲座、论坛, with talks
by foreign and Hong Kong, Macao and Taiwan speakers reviewed by the international office). The entry
``lecture_review`` holds two parameters that administrators change on the visitors rules page:

- ``review_required`` (yes/no, default yes): whether such lectures need the review at all;
- ``days_ahead`` (calendar days, default 7): the outline is submitted, and the review is due, this many days
  before the lecture starts. Sources: Xi'an Shiyou University asks for the content review of talks at least
  one week ahead; Hefei University of Technology has talks by speakers from abroad reviewed by its
  international affairs office.

Switching the entry off has the same effect as ``review_required`` = no. The entry is never evaluated as a
rule of a visit; the lecture services read it through ``review_needed`` and ``review_due_on``.

A speaker counts as foreign unless the lecture's guest is known to be a Chinese national: lectures of this
context are given by visiting scholars, so a speaker typed in without a guest record is reviewed.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from meridian.workflow.choices import RuleSeverity
from meridian.workflow.rulepack import Param, RuleDefinition, Source, rule_packs, ruleset_current

CONTEXT = "visitors"
CODE = "lecture_review"
DEFAULT_DAYS_AHEAD = 7
CHINA = "CN"

SOURCE = Source(
    _("Xi'an Shiyou University: content review of talks, seminars and forums (at least one week ahead)"),
    _("foreign and Hong Kong, Macao and Taiwan speakers reviewed by the international office (HFUT)"),
    "https://www.xsyu.edu.cn/info/1072/53252.htm",
)

DEFINITION = rule_packs.pack(CONTEXT).register(
    RuleDefinition(
        CODE,
        _("Outline review of public lectures"),
        _(
            "Public lectures by speakers from abroad have their outline reviewed by the International Office "
            "this many days before the lecture; an unreviewed lecture is not published."
        ),
        RuleSeverity.WARN,
        (
            Param("review_required", "bool", True, _("Review required")),
            Param("days_ahead", "int", DEFAULT_DAYS_AHEAD, _("Days before the lecture")),
        ),
        SOURCE,
    )
)


def _configured() -> Any | None:
    try:
        return ruleset_current(CONTEXT).rules.get(CODE)
    except KeyError:
        return None


def review_in_force() -> bool:
    """Whether outlines are reviewed at all: the entry is on and ``review_required`` is yes."""
    rule = _configured()
    if rule is None:
        return True
    return bool(rule.enabled and rule.params.get("review_required", True))


def days_ahead() -> int:
    """Calendar days before the lecture by which the outline review is due (``days_ahead``, default 7)."""
    rule = _configured()
    value = rule.params.get("days_ahead", DEFAULT_DAYS_AHEAD) if rule is not None else DEFAULT_DAYS_AHEAD
    try:
        return max(int(value), 0)
    except (TypeError, ValueError):
        return DEFAULT_DAYS_AHEAD


def speaker_is_foreign(lecture: Any) -> bool:
    """True unless the lecture's guest is a Chinese national (see the module note)."""
    guest = getattr(lecture, "guest", None)
    if guest is None:
        return True
    nationality = getattr(guest.person, "nationality", None)
    return nationality is None or nationality.code != CHINA


def review_needed(lecture: Any) -> bool:
    """A public lecture by a foreign speaker needs its outline reviewed while the review is in force."""
    return bool(lecture.is_public) and speaker_is_foreign(lecture) and review_in_force()


def review_due_on(lecture: Any) -> date | None:
    """The day the review is due: the lecture's local start date minus ``days_ahead()`` days; None when the
    lecture needs no review."""
    if not review_needed(lecture) or lecture.starts_at is None:
        return None
    return timezone.localdate(lecture.starts_at) - timedelta(days=days_ahead())


# The public calendar's link in the site navigation (the module is loaded at start-up with this one).
from meridian.visitors import public_nav  # noqa: E402, F401
