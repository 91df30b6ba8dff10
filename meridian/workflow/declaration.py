"""How a case type declares its lifecycle: states, transitions, guards, who may act, side effects.

A case type (an agreement, a trip abroad, a visit, an application, a nomination, …) describes itself once, in
one module of its own context, with the plain objects below, and registers the result in
``meridian.workflow.registry.case_types``. The services (``case_move``, ``moves_for``), the pages, the API and
the tests all read the same declaration.

Why our own small declaration object rather than django-fsm-2's ``@transition`` decorator: a case type here
must (1) explain every unavailable move in words ("Activate needs a start date") where django-fsm's
conditions answer only True/False, (2) ask who may act as a predicate over the user *and* the case, including
acting on behalf of another person, (3) hand its review transitions to an administrator-configured approval
chain that runs outside the model, and (4) be declared over an existing model without adding methods to it by
hand. django-fsm would give us a protected state field and a decorated method per move, but every one of
those four needs would be built around it anyway; the declaration below is a few dataclasses with no magic,
and the single write path (``services.case_move``) takes the row lock, checks and logs in one place.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Sequence
from collections.abc import Set as AbstractSet
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models
from django.utils.translation import gettext_lazy as _

Text = Any  # a str, a lazy translation, or anything whose str() is the text


class EvaluationDate:
    """The day a case type's date guards compare with ("has the trip begun?", "has the agreement ended?").

    Everyone gets the local date; background jobs, the demo data and tests that act for another day wrap their
    moves in ``at(day)``. One instance per case context (``name`` labels its context variable)::

        dates = EvaluationDate("travel")
        with dates.at(day): ...       # guards see ``day``
        dates.today()                 # -> ``day`` inside the block, the local date outside
    """

    def __init__(self, name: str) -> None:
        self._day: ContextVar[date | None] = ContextVar(f"{name}_evaluation_date", default=None)

    @contextmanager
    def at(self, day: date | None) -> Iterator[None]:
        """Evaluate date guards as of ``day`` within the block; None keeps the local date."""
        token = self._day.set(day)
        try:
            yield
        finally:
            self._day.reset(token)

    def today(self) -> date:
        """The evaluation date when one is set, else the local date."""
        from django.utils import timezone

        return self._day.get() or timezone.localdate()


def _nobody(_user: Any, _case: Any) -> bool:
    return False


@dataclass(frozen=True)
class Guard:
    """A condition a case must meet for a move: ``test(case) -> bool``.

    ``reason`` is shown when the test fails; give a str/lazy string or ``(case) -> str`` for a reason that
    names the case's data.
    """

    test: Callable[[Any], bool]
    reason: Text | Callable[[Any], str]

    def failure(self, case: Any) -> str | None:
        """The human reason when the guard fails, else None."""
        if self.test(case):
            return None
        return str(self.reason(case)) if callable(self.reason) else str(self.reason)


@dataclass(frozen=True)
class RequiredDocument:
    """A document the case must carry before the move: ``present(case) -> bool``; ``label`` names it."""

    label: Text
    present: Callable[[Any], bool]


@dataclass(frozen=True)
class MoveContext:
    """What a side effect receives: the case after the move and the log entry that records it."""

    case: Any
    case_type: CaseType
    transition: Transition
    actor: Any
    on_behalf_of: Any
    from_state: str
    to_state: str
    comment: str
    data: dict[str, Any]
    entry: Any


@dataclass(frozen=True)
class Transition:
    """One move of a case: from any of ``sources`` to ``target``.

    ``allowed(user, case) -> bool`` says who may act (the state is checked separately); ``guards``,
    ``required_fields`` (model field names that must be non-empty) and ``required_documents`` say what the
    case needs; ``inputs`` are model fields the person may fill in with the move (applied before the checks);
    ``effects`` are callables ``(MoveContext) -> None`` run in the move's transaction after saving.
    ``starts_approval`` opens the configured approval chain. ``by_engine`` moves (the approval hooks) are
    taken by the approval chain while one runs; ``system_only`` moves only by background jobs (actor None).
    ``notify`` False: the move tells nobody (the context sends its own notice when the time comes — e.g. seat
    allocation before the results are published).
    """

    name: str
    label: Text
    sources: AbstractSet[str] | Sequence[str]
    target: str
    allowed: Callable[[Any, Any], bool] = _nobody
    guards: Sequence[Guard] = ()
    required_fields: Sequence[str] = ()
    inputs: Sequence[str] = ()
    required_documents: Sequence[RequiredDocument] = ()
    effects: Sequence[Callable[[MoveContext], None]] = ()
    starts_approval: bool = False
    comment_required: bool = False
    style: str = ""
    by_engine: bool = False
    system_only: bool = False
    notify: bool = True

    def __post_init__(self) -> None:
        object.__setattr__(self, "sources", frozenset(self.sources))
        if not self.name.isidentifier():
            raise ImproperlyConfigured(f"Transition name {self.name!r} must be a Python identifier.")


@dataclass(frozen=True)
class ApprovalHooks:
    """How a case type meets the approval chains.

    The chain runs while the case is in ``review_state``; when every step approved the engine fires the
    ``approved`` transition, a return for correction fires ``returned``, a rejection fires ``rejected`` (None:
    rejection is not offered for this case type).
    """

    review_state: str
    approved: str
    returned: str
    rejected: str | None = None


FIELD_KINDS = ("int", "decimal", "str", "bool", "date")


@dataclass(frozen=True)
class CaseField:
    """A documented field of a case: usable in chain conditions, shown to chain editors.

    ``kind`` is one of ``int``, ``decimal``, ``str``, ``bool``, ``date``; ``get(case)`` reads the value
    (default: the attribute of the same name). ``label`` is what every reader sees (a return-for-correction
    comment names the field by it); ``hint`` adds, for chain editors only, what values a condition may test
    (for example the codes of a choice).
    """

    name: str
    label: Text
    kind: str = "str"
    get: Callable[[Any], Any] | None = None
    hint: Text = ""

    def __post_init__(self) -> None:
        if self.kind not in FIELD_KINDS:
            raise ImproperlyConfigured(f"CaseField {self.name!r}: kind must be one of {FIELD_KINDS}.")

    def value(self, case: Any) -> Any:
        return self.get(case) if self.get is not None else getattr(case, self.name, None)


def _all_visible(_user: Any, queryset: models.QuerySet) -> models.QuerySet:
    return queryset


@dataclass
class CaseType:
    """A kind of case: its model, states and transitions, approval hooks and the helpers the engine needs.

    ``unit(case) -> OrgUnit`` gives the applicant's unit (chain choice and "unit leader" steps);
    ``applicant_field`` names the model field holding the applicant (the person the case belongs to: returns
    and notices go to them, "my cases" lists theirs); ``applicant(case)`` and ``mine(user, queryset)``
    override how they are read when one field does not say it;
    ``visible(user, queryset) -> queryset`` restricts rows to what the user may see (404 for the rest);
    ``title(case) -> str`` names a case in lists and e-mails; ``watchers(case)`` adds people to notify.
    For the API's list filters: ``date_field`` (date_from/date_to), ``unit_field`` (unit, with subunits) and
    ``partner_field`` (partner) are lookups on the model, e.g. ``"responsible_unit"``, ``"parties__partner"``.
    """

    code: str
    model: type[models.Model] | str
    label: Text
    states: Any
    initial: str
    transitions: Sequence[Transition]
    label_plural: Text = ""
    state_field: str = "state"
    state_changed_field: str | None = None
    terminal: Iterable[str] = ()
    approval: ApprovalHooks | None = None
    fields: Sequence[CaseField] = ()
    unit: Callable[[Any], Any] = lambda case: None
    applicant_field: str = ""
    applicant: Callable[[Any], Any] | None = None
    mine: Callable[[Any, models.QuerySet], models.QuerySet] | None = None
    visible: Callable[[Any, models.QuerySet], models.QuerySet] = _all_visible
    title: Callable[[Any], str] = str
    watchers: Callable[[Any], Iterable[Any]] | None = None
    date_field: str = "created_at"
    unit_field: str = ""
    partner_field: str = ""

    def __post_init__(self) -> None:
        if isinstance(self.states, type) and issubclass(self.states, models.Choices):
            self.state_choices: list[tuple[str, Any]] = list(self.states.choices)
        else:
            self.state_choices = [(str(v), label) for v, label in self.states]
        self.terminal = frozenset(self.terminal)
        if self.applicant is None:
            name = self.applicant_field
            self.applicant = (lambda case: getattr(case, name, None)) if name else (lambda case: None)
        self._by_name: dict[str, Transition] = {}
        hooks = self.approval
        engine_moves = {hooks.approved, hooks.returned, hooks.rejected} - {None} if hooks else set()
        fixed: list[Transition] = []
        for t in self.transitions:
            if t.name in engine_moves and not t.by_engine:
                t = Transition(**{**t.__dict__, "by_engine": True})
            fixed.append(t)
        self.transitions = tuple(fixed)
        self._validate()

    def _validate(self) -> None:
        codes = {code for code, _label in self.state_choices}
        if self.initial not in codes:
            raise ImproperlyConfigured(f"{self.code}: initial state {self.initial!r} is not declared.")
        for t in self.transitions:
            if t.name in self._by_name:
                raise ImproperlyConfigured(f"{self.code}: transition {t.name!r} declared twice.")
            self._by_name[t.name] = t
            for state in (*t.sources, t.target):
                if state not in codes:
                    raise ImproperlyConfigured(
                        f"{self.code}: transition {t.name!r} uses undeclared state {state!r}."
                    )
        if self.approval is not None:
            hooks = self.approval
            if hooks.review_state not in codes:
                raise ImproperlyConfigured(f"{self.code}: review state {hooks.review_state!r} undeclared.")
            for name in (hooks.approved, hooks.returned, hooks.rejected):
                if name is not None and name not in self._by_name:
                    raise ImproperlyConfigured(f"{self.code}: approval hook {name!r} is not a transition.")
        names = [f.name for f in self.fields]
        if len(names) != len(set(names)):
            raise ImproperlyConfigured(f"{self.code}: a case field is declared twice.")

    # --- reading the declaration -------------------------------------------------------------------------

    @property
    def model_class(self) -> type[models.Model]:
        if isinstance(self.model, str):
            self.model = apps.get_model(self.model)
        return self.model

    @property
    def state_codes(self) -> frozenset[str]:
        return frozenset(code for code, _label in self.state_choices)

    def state_label(self, state: str) -> str:
        for code, label in self.state_choices:
            if code == state:
                return str(label)
        return state

    def transition(self, name: str) -> Transition:
        """The transition called ``name``; raises ``KeyError`` for an unknown one."""
        return self._by_name[name]

    def transitions_from(self, state: str) -> list[Transition]:
        return [t for t in self.transitions if state in t.sources]

    def field(self, name: str) -> CaseField:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    def applicant_of(self, case: Any) -> Any:
        """The applicant of ``case`` (a User) or None."""
        return self.applicant(case) if self.applicant is not None else None

    def cases_of(self, user: Any, queryset: models.QuerySet) -> models.QuerySet:
        """The cases in ``queryset`` that belong to ``user`` as applicant ("my cases")."""
        if self.mine is not None:
            return self.mine(user, queryset)
        if self.applicant_field:
            return queryset.filter(**{self.applicant_field: user})
        return queryset.none()

    def state_of(self, case: Any) -> str:
        return getattr(case, self.state_field)

    def field_label(self, name: str) -> str:
        """The verbose name of a model field (for "needs a start date" reasons)."""
        try:
            field = self.model_class._meta.get_field(name)
        except FieldDoesNotExist:  # a computed attribute has no model field; show its name
            return name.replace("_", " ")
        return str(getattr(field, "verbose_name", name))

    def reachable_states(self) -> frozenset[str]:
        """States a case can reach from ``initial`` through declared transitions (property tests use it)."""
        seen = {self.initial}
        frontier = [self.initial]
        while frontier:
            state = frontier.pop()
            for t in self.transitions_from(state):
                if t.target not in seen:
                    seen.add(t.target)
                    frontier.append(t.target)
        return frozenset(seen)


REQUIRED_FIELD_REASON = _("%(move)s needs %(field)s.")
REQUIRED_DOCUMENT_REASON = _("%(move)s needs %(document)s.")
