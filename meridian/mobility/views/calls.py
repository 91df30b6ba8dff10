"""Staff pages of calls (office and schools): the list, filing a call, editing it (the call's fields, its
destinations drawn from cooperation conditions, selection criteria, questions and committee), its page with
the lifecycle moves, and the moves themselves.

Who may do what is asked of ``permissions`` (``can_create_call``, ``can_manage_call``); a call the user may
not see is a 404, an action they may not take a 403. Students and partner contacts have no staff pages: they
are sent to the student portal or the public page of the call. The edit page's parts post to their own
addresses; with partial page updates only the changed part (and the "ready to open" box) is swapped.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.forms import Form
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from meridian.core.errors import DomainError, PermissionDeniedError, StaleEditError
from meridian.mobility import permissions
from meridian.mobility.casework import CALL_TYPE
from meridian.mobility.choices import CallState, DocumentKind
from meridian.mobility.filters_calls import CallFilter, filter_errors
from meridian.mobility.forms_calls import (
    CallForm,
    CriterionForm,
    DestinationAddForm,
    DestinationForm,
    QuestionForm,
    ReviewerForm,
    unit_choices,
)
from meridian.mobility.models import Call, CallCriterion, CallDestination, CallQuestion, CallReviewer
from meridian.mobility.selectors import calls as selectors
from meridian.mobility.services import calls as services
from meridian.workflow.services import moves_for

LIST_LIMIT = 200
SECTIONS = ("destinations", "criteria", "questions", "reviewers")


# --- helpers ------------------------------------------------------------------------------------------------


def routable(name: str, *args: Any, query: str = "") -> str:
    """The address of URL ``name`` or "" when no view of that name is installed (areas arrive separately)."""
    try:
        url = reverse(name, args=args)
    except NoReverseMatch:
        return ""
    return f"{url}?{query}" if query else url


def _outside_url(user, call: Call | None = None) -> str:
    """Where a student or partner contact goes instead of a staff page: the student portal (students), else
    the public page of the call (or the public list)."""
    if permissions.can_use_student_portal(user):
        url = (
            routable("mobility:student_call", call.pk)
            if call is not None
            else routable("mobility:student_home")
        )
        if url:
            return url
    if call is not None:
        return routable("mobility_public:call", call.pk)
    return routable("mobility_public:calls")


def _call(request: HttpRequest, pk: int) -> Call:
    """The call if the user may see it; 404 otherwise."""
    return get_object_or_404(selectors.calls_visible_to(request.user), pk=pk)


def _may_manage(request: HttpRequest, call: Call) -> None:
    if not permissions.can_manage_call(request.user, call):
        raise PermissionDenied(
            _("Only the office and the coordinators of the unit running the call change it.")
        )


def _error_text(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _form_errors(form: Form, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errors in exc.message_dict.items():
            form.add_error(name if name in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


def _htmx(request: HttpRequest) -> bool:
    return bool(getattr(request, "htmx", False))


def _documents(call: Call) -> list[str]:
    labels = dict(DocumentKind.choices)
    return [str(labels.get(code, code)) for code in call.required_documents or []]


# --- list ---------------------------------------------------------------------------------------------------


@login_required
@require_safe
def call_list(request: HttpRequest) -> HttpResponse:
    """Calls the user may see, newest year first, narrowed by ``filters_calls.CallFilter`` (year, semester,
    state, unit, words of the number or title); an invalid value lists nothing and says why (status 400)."""
    user = request.user
    if not selectors.may_see_internal(user):
        url = _outside_url(user)
        if not url:
            raise PermissionDenied(_("Calls are managed by university staff."))
        return redirect(url)
    filterset = CallFilter(request.GET or None, queryset=selectors.call_list(user=user))
    valid = not filterset.is_bound or filterset.is_valid()
    queryset = filterset.qs if filterset.is_bound and valid else filterset.queryset
    rows = list(queryset[:LIST_LIMIT]) if valid else []
    context = {
        "rows": rows,
        "limit": LIST_LIMIT,
        "filter": filterset,
        "filter_errors": [] if valid else filter_errors(filterset),
        "can_create": permissions.can_create_call(user),
        "public_url": routable("mobility_public:calls"),
    }
    return render(request, "mobility/calls/list.html", context, status=200 if valid else 400)


# --- create and edit ----------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def call_create(request: HttpRequest) -> HttpResponse:
    """File a draft call; then its edit page adds destinations, criteria, questions and reviewers."""
    user = request.user
    if not permissions.can_create_call(user):
        raise PermissionDenied(_("You may not create calls."))
    status = 200
    if request.method == "POST":
        form = CallForm(request.POST, user=user)
        if form.is_valid():
            try:
                call = services.call_create(actor=user, **form.values())
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except ValidationError as exc:
                _form_errors(form, exc)
            else:
                messages.success(
                    request,
                    _("Call %(number)s was filed as a draft: add its destinations and criteria.")
                    % {"number": call.number},
                )
                return redirect("mobility:call_edit", call.pk)
        status = 400
    else:
        initial: dict[str, Any] = {
            "max_preferences": 3,
            "grade_scale": 4,
            "offer_days": 7,
            "require_clean_record": True,
        }
        units = list(unit_choices(user)[:2])
        if len(units) == 1:
            initial["unit"] = units[0]
        form = CallForm(initial=initial, user=user)
    return render(request, "mobility/calls/form.html", {"form": form, "call": None}, status=status)


def _row_form(form_class: type[Form], prefix: str, instance: Any, fields: tuple[str, ...], data=None) -> Form:
    initial = {name: getattr(instance, name) for name in fields}
    return form_class(data, initial=initial, prefix=prefix)


DESTINATION_FIELDS = ("places", "months", "language", "min_cefr", "note")
CRITERION_FIELDS = ("code", "label_en", "label_zh", "weight", "max_points", "source")
QUESTION_FIELDS = ("text_en", "text_zh", "kind", "required")


def _edit_context(request: HttpRequest, call: Call, **overrides: Any) -> dict[str, Any]:
    """Everything the edit page (or one of its parts) shows; ``overrides`` carries bound forms with errors
    (``call_form``, ``destination_add_form``, ``row_forms`` {prefix: form}, ``criterion_form``, …)."""
    user = request.user
    draft = call.state == CallState.DRAFT
    row_forms: dict[str, Form] = overrides.pop("row_forms", {})

    def row(form_class: type[Form], prefix: str, instance: Any, fields: tuple[str, ...]) -> Form:
        return row_forms.get(prefix) or _row_form(form_class, prefix, instance, fields)

    destination_rows = selectors.destination_rows(call)
    for item in destination_rows:
        d = item["destination"]
        item["form"] = row(DestinationForm, f"destination-{d.pk}", d, DESTINATION_FIELDS) if draft else None
    choices = selectors.eligible_conditions(call=call, user=user) if draft else []
    criteria = list(selectors.call_criteria(call))
    context: dict[str, Any] = {
        "call": call,
        "draft": draft,
        "can_edit_fields": bool(services.editable_fields(call)),
        "can_edit_reviewers": call.state in services.REVIEWER_STATES,
        "edit_blocker": services.edit_blocker(call),
        "call_form": CallForm(initial=CallForm.initial_for(call), user=user, call=call),
        "destination_rows": destination_rows,
        "condition_choices": choices,
        "destination_add_form": DestinationAddForm(choices=choices, prefix="destination-new")
        if draft
        else None,
        "criterion_rows": [
            {
                "criterion": c,
                "form": row(CriterionForm, f"criterion-{c.pk}", c, CRITERION_FIELDS) if draft else None,
            }
            for c in criteria
        ],
        "weight_total": sum((c.weight for c in criteria), 0),
        "criterion_form": CriterionForm(prefix="criterion-new") if draft else None,
        "question_rows": [
            {
                "question": q,
                "form": row(QuestionForm, f"question-{q.pk}", q, QUESTION_FIELDS) if draft else None,
            }
            for q in selectors.call_questions(call)
        ],
        "question_form": QuestionForm(prefix="question-new", initial={"required": True}) if draft else None,
        "reviewers": list(selectors.call_reviewers(call)),
        "reviewer_form": ReviewerForm(prefix="reviewer-new"),
        "problems": services.call_problems(call) if draft else [],
        "stale": None,
    }
    context.update(overrides)
    return context


@login_required
@require_http_methods(["GET", "HEAD", "POST"])
def call_edit(request: HttpRequest, pk: int) -> HttpResponse:
    """The call's fields (a stale save is refused with what changed) and, on the same page, its
    destinations, criteria, questions and committee."""
    call = _call(request, pk)
    _may_manage(request, call)
    status = 200
    overrides: dict[str, Any] = {}
    if request.method == "POST":
        # Disabled fields (those an open call keeps) take their value from ``initial``, not from the post.
        form = CallForm(request.POST, initial=CallForm.initial_for(call), user=request.user, call=call)
        overrides["call_form"] = form
        blocker = services.edit_blocker(call)
        if blocker:
            form.add_error(None, blocker)
            status = 400
        elif form.is_valid():
            try:
                services.call_update(
                    call=call,
                    actor=request.user,
                    expected_version=form.cleaned_data.get("version"),
                    **form.values(call),
                )
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except StaleEditError as exc:
                overrides["stale"] = exc
                status = 409
            except ValidationError as exc:
                _form_errors(form, exc)
                status = 400
            except DomainError as exc:
                form.add_error(None, exc.message)
                status = 400
            else:
                messages.success(request, _("The call was saved."))
                return redirect("mobility:call_edit", call.pk)
        else:
            status = 400
    return render(
        request, "mobility/calls/edit.html", _edit_context(request, call, **overrides), status=status
    )


# --- the parts of the edit page -----------------------------------------------------------------------------


def _part_done(request: HttpRequest, call: Call, section: str, message: str) -> HttpResponse:
    if _htmx(request):
        context = _edit_context(request, call)
        context["part_message"] = message
        return render(request, f"mobility/calls/_{section}.html", {**context, "swap_oob": True})
    messages.success(request, message)
    return redirect(f"{reverse('mobility:call_edit', args=[call.pk])}#call-{section}")


def _part_failed(request: HttpRequest, call: Call, section: str, **overrides: Any) -> HttpResponse:
    context = _edit_context(request, call, **overrides)
    if _htmx(request):
        # Partial updates swap successful answers only: the part comes back (200) with its errors in place.
        return render(request, f"mobility/calls/_{section}.html", {**context, "swap_oob": True})
    return render(request, "mobility/calls/edit.html", context, status=400)


def _run(
    request: HttpRequest, call: Call, section: str, form: Form, key: str, action, done: str
) -> HttpResponse:
    """Validate ``form``, run ``action(form.cleaned_data)`` and answer with the part (errors on the form)."""
    if form.is_valid():
        try:
            action(form.cleaned_data)
        except PermissionDeniedError as exc:
            raise PermissionDenied(exc.message) from exc
        except ValidationError as exc:
            _form_errors(form, exc)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            return _part_done(request, call, section, done)
    overrides: dict[str, Any] = {"row_forms": {form.prefix: form}} if key == "row" else {key: form}
    return _part_failed(request, call, section, **overrides)


def _managed_call(request: HttpRequest, pk: int) -> Call:
    call = _call(request, pk)
    _may_manage(request, call)
    return call


def _removed(request: HttpRequest, call: Call, section: str, remove, done: str) -> HttpResponse:
    try:
        remove()
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except (DomainError, ValidationError) as exc:
        if _htmx(request):
            context = _edit_context(request, call)
            context["part_error"] = _error_text(exc)
            return render(request, f"mobility/calls/_{section}.html", {**context, "swap_oob": True})
        messages.error(request, _error_text(exc))
        return redirect(f"{reverse('mobility:call_edit', args=[call.pk])}#call-{section}")
    return _part_done(request, call, section, done)


@login_required
@require_POST
def destination_add(request: HttpRequest, pk: int) -> HttpResponse:
    call = _managed_call(request, pk)
    choices = (
        selectors.eligible_conditions(call=call, user=request.user) if call.state == CallState.DRAFT else []
    )
    form = DestinationAddForm(request.POST, choices=choices, prefix="destination-new")

    def add(data: dict[str, Any]) -> None:
        choice = form.conditions[data["condition"]]
        services.destination_add_from_condition(
            call=call,
            condition=choice.condition,
            places=data["places"],
            months=data["months"],
            note=data["note"],
            actor=request.user,
        )

    return _run(
        request, call, "destinations", form, "destination_add_form", add, _("The destination was added.")
    )


@login_required
@require_POST
def destination_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    call = _managed_call(request, pk)
    destination = get_object_or_404(CallDestination, pk=item_pk, call=call)
    form = DestinationForm(request.POST, prefix=f"destination-{destination.pk}")

    def update(data: dict[str, Any]) -> None:
        services.destination_update(destination=destination, actor=request.user, **data)

    return _run(request, call, "destinations", form, "row", update, _("The destination was saved."))


@login_required
@require_POST
def destination_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    call = _managed_call(request, pk)
    destination = get_object_or_404(CallDestination, pk=item_pk, call=call)
    return _removed(
        request,
        call,
        "destinations",
        lambda: services.destination_remove(destination=destination, actor=request.user),
        _("The destination was removed."),
    )


@login_required
@require_POST
def criterion_add(request: HttpRequest, pk: int) -> HttpResponse:
    call = _managed_call(request, pk)
    form = CriterionForm(request.POST, prefix="criterion-new")
    return _run(
        request,
        call,
        "criteria",
        form,
        "criterion_form",
        lambda data: services.criterion_add(call=call, actor=request.user, **data),
        _("The criterion was added."),
    )


@login_required
@require_POST
def criterion_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    call = _managed_call(request, pk)
    criterion = get_object_or_404(CallCriterion, pk=item_pk, call=call)
    form = CriterionForm(request.POST, prefix=f"criterion-{criterion.pk}")
    return _run(
        request,
        call,
        "criteria",
        form,
        "row",
        lambda data: services.criterion_update(criterion=criterion, actor=request.user, **data),
        _("The criterion was saved."),
    )


@login_required
@require_POST
def criterion_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    call = _managed_call(request, pk)
    criterion = get_object_or_404(CallCriterion, pk=item_pk, call=call)
    return _removed(
        request,
        call,
        "criteria",
        lambda: services.criterion_remove(criterion=criterion, actor=request.user),
        _("The criterion was removed."),
    )


@login_required
@require_POST
def question_add(request: HttpRequest, pk: int) -> HttpResponse:
    call = _managed_call(request, pk)
    form = QuestionForm(request.POST, prefix="question-new")
    return _run(
        request,
        call,
        "questions",
        form,
        "question_form",
        lambda data: services.question_add(call=call, actor=request.user, **data),
        _("The question was added."),
    )


@login_required
@require_POST
def question_edit(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    call = _managed_call(request, pk)
    question = get_object_or_404(CallQuestion, pk=item_pk, call=call)
    form = QuestionForm(request.POST, prefix=f"question-{question.pk}")
    return _run(
        request,
        call,
        "questions",
        form,
        "row",
        lambda data: services.question_update(question=question, actor=request.user, **data),
        _("The question was saved."),
    )


@login_required
@require_POST
def question_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    call = _managed_call(request, pk)
    question = get_object_or_404(CallQuestion, pk=item_pk, call=call)
    return _removed(
        request,
        call,
        "questions",
        lambda: services.question_remove(question=question, actor=request.user),
        _("The question was removed."),
    )


@login_required
@require_POST
def reviewer_add(request: HttpRequest, pk: int) -> HttpResponse:
    call = _managed_call(request, pk)
    form = ReviewerForm(request.POST, prefix="reviewer-new")
    return _run(
        request,
        call,
        "reviewers",
        form,
        "reviewer_form",
        lambda data: services.reviewer_add(call=call, user=data["user"], actor=request.user),
        _("The committee member was added."),
    )


@login_required
@require_POST
def reviewer_remove(request: HttpRequest, pk: int, item_pk: int) -> HttpResponse:
    call = _managed_call(request, pk)
    reviewer = get_object_or_404(CallReviewer, pk=item_pk, call=call)
    return _removed(
        request,
        call,
        "reviewers",
        lambda: services.reviewer_remove(reviewer=reviewer, actor=request.user),
        _("The committee member was removed."),
    )


# --- the call's page and its moves --------------------------------------------------------------------------


def call_links(user, call: Call) -> list[dict[str, str]]:
    """Links to the selection pages of ``call`` whose views are installed: for its managers and university
    readers the applications, ranking, allocation, publicity (and nomination, for the office); for a
    committee member their reviews."""
    from meridian.accounts.permissions import can_read_university

    pages = []
    if permissions.can_manage_call(user, call) or can_read_university(user):
        pages = [
            (
                "applications",
                _("Applications"),
                routable("mobility:application_list", query=f"call={call.pk}"),
            ),
            ("ranking", _("Ranking"), routable("mobility:ranking", call.pk)),
            ("allocation", _("Allocation of places"), routable("mobility:allocation", call.pk)),
            ("publicity", _("Publicity of the results"), routable("mobility:publicity", call.pk)),
        ]
        if permissions.can_nominate(user):
            pages.append(("nominate", _("Nominate to partners"), routable("mobility:nominate", call.pk)))
    elif permissions.is_reviewer(user, call):
        pages = [("reviews", _("My reviews"), routable("mobility:my_reviews"))]
    return [{"key": key, "label": label, "url": url} for key, label, url in pages if url]


@login_required
@require_safe
def call_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The call: state and the moves the user may take now (with what is missing for the others),
    destinations with places, criteria, questions, committee, applications per state and the log."""
    call = _call(request, pk)
    user = request.user
    if not selectors.may_see_internal(user):
        url = _outside_url(user, call)
        if not url:
            raise Http404
        return redirect(url)
    destination_rows = selectors.destination_rows(call)
    manage = permissions.can_manage_call(user, call)
    opened = call.state not in selectors.NOT_OPENED
    context = {
        "call": call,
        "destination_rows": destination_rows,
        "place_total": sum(row["destination"].places for row in destination_rows),
        "criteria": list(selectors.call_criteria(call)),
        "weight_total": selectors.criteria_weight_total(call),
        "questions": list(selectors.call_questions(call)),
        "reviewers": list(selectors.call_reviewers(call)),
        "documents": _documents(call),
        "counts": selectors.application_counts(call),
        "links": call_links(user, call),
        "moves": _moves(call, user),
        "log": _log_rows(call),
        "can_manage": manage,
        "can_edit": manage
        and (bool(services.editable_fields(call)) or call.state in services.REVIEWER_STATES),
        "public_url": routable("mobility_public:call", call.pk) if opened else "",
        "taking_applications": selectors.is_taking_applications(call),
    }
    return render(request, "mobility/calls/detail.html", context)


def _moves(call: Call, user) -> list:
    """The moves ``user`` may take from the call's state; "open", when blocked, lists each problem apart."""
    options = moves_for(case=call, user=user)
    for option in options:
        if option.name == "open" and not option.available:
            option.reasons = services.call_problems(call) or option.reasons
    return options


def _system_reason(entry: Any) -> str:
    """Why the system moved the call: it closes a call only when its application deadline has passed."""
    if entry.action == "close" and entry.actor_id is None:
        return _("The application deadline has passed.")
    return ""


def _log_rows(call: Call) -> list[dict[str, Any]]:
    """The call's moves, newest first, each with the move's label, the state reached and the comment. The
    system's closing at the deadline carries no stored comment; its reason is written here, in the reader's
    language."""
    labels = {t.name: str(t.label) for t in CALL_TYPE.transitions}
    return [
        {
            "entry": entry,
            "label": labels.get(entry.action, entry.action),
            "state": CALL_TYPE.state_label(entry.to_state),
            "comment": entry.comment or _system_reason(entry),
        }
        for entry in selectors.call_log(call)[:50]
    ]


MOVES = {t.name for t in CALL_TYPE.transitions if not t.system_only}


@login_required
@require_POST
def call_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Take a lifecycle move (open, close, publish_results, finish, cancel); a refused move is explained on
    the call's page."""
    call = _call(request, pk)
    if action not in MOVES:
        raise Http404
    _may_manage(request, call)
    try:
        call = services.call_move(
            call=call, actor=request.user, move=action, comment=request.POST.get("comment", "").strip()
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except (DomainError, ValidationError) as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request, _("Done. The call is now “%(state)s”.") % {"state": call.get_state_display()}
        )
    return redirect(f"{reverse('mobility:call_detail', args=[call.pk])}#call-moves")
