"""Pages of learning agreements and the course-equivalence catalogue.

One agreement page (``la_detail``) serves the three parties: the student (student portal frame), our side
(staff frame) and the partner's contacts (partner portal frame). It shows the versions, the rows with changes
marked, the three signatures with time and name, the documents, the log, and the actions the reader may take
now; each action is a POST to its own view, which calls the service and comes back with a message.

Who may see an agreement: whoever may see its mobility (``Mobility.objects.visible_to``), else 404. Who may
act: ``permissions.la_party`` for signing and rejecting, ``services.learning.may_prepare`` for writing; a
refused action is a 403 (or a message when the rule is about the state).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from meridian.accounts.permissions import is_internal
from meridian.core.errors import DomainError, PermissionDeniedError, StaleEditError
from meridian.mobility import permissions
from meridian.mobility.choices import LearningAgreementState
from meridian.mobility.documents_learning import can_generate_la_document, la_document_generate
from meridian.mobility.filters_learning import EquivalenceFilter, filter_errors
from meridian.mobility.forms_learning import RejectForm, SuggestionForm, course_formset
from meridian.mobility.models import CourseEquivalence, LearningAgreement, Mobility
from meridian.mobility.selectors import learning as selectors
from meridian.mobility.services import learning as services

L = LearningAgreementState
LIST_LIMIT = 300
MOVES = ("submit", "reject", "reopen")


# --- helpers ------------------------------------------------------------------------------------------------


def frame(user: Any) -> str:
    """The page frame: the staff section for staff, the portal for students and partner contacts."""
    if is_internal(user):
        return "mobility/learning/frame_staff.html"
    return "mobility/learning/frame_portal.html"


def _try_reverse(name: str, *args: Any) -> str:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return ""


def mobility_url(user: Any, mobility: Mobility) -> str:
    """Where the reader sees the mobility: the staff page, the partner portal's page or the student portal."""
    if is_internal(user):
        return _try_reverse("mobility:mobility_detail", mobility.pk)
    if permissions.is_partner_contact(user):
        return _try_reverse("mobility:partner_mobility", mobility.pk) or _try_reverse("mobility:partner_home")
    return _try_reverse("mobility:student_home")


def error_text(exc: Exception) -> str:
    if isinstance(exc, DomainError):
        return exc.message
    if isinstance(exc, ValidationError):
        return " ".join(exc.messages)
    return str(exc)


def _detail(la: LearningAgreement) -> HttpResponse:
    return redirect("mobility:la_detail", la.pk)


# --- starting an agreement or a change --------------------------------------------------------------------


@login_required
@require_POST
def la_create(request: HttpRequest, mobility_pk: int) -> HttpResponse:
    """Start the learning agreement of a mobility (the student or our side), then edit its courses."""
    mobility = selectors.mobility_get(user=request.user, pk=mobility_pk)
    if not services.may_prepare(request.user, mobility):
        raise PermissionDenied
    try:
        la = services.la_create(mobility=mobility, actor=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        existing = mobility.learning_agreements.order_by("-version_number").first()
        return redirect(
            existing.get_absolute_url() if existing else mobility_url(request.user, mobility) or "/"
        )
    messages.success(request, _("Learning agreement started: add the courses."))
    return redirect("mobility:la_courses", la.pk)


@login_required
@require_POST
def la_change_create(request: HttpRequest, mobility_pk: int) -> HttpResponse:
    """Start a change of the approved agreement (a new version copying its rows)."""
    mobility = selectors.mobility_get(user=request.user, pk=mobility_pk)
    if not services.may_prepare(request.user, mobility):
        raise PermissionDenied
    try:
        la = services.la_change_create(mobility=mobility, actor=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        current = selectors.la_in_force(mobility=mobility) or mobility.learning_agreements.first()
        return redirect(
            current.get_absolute_url() if current else mobility_url(request.user, mobility) or "/"
        )
    messages.success(
        request,
        _("Change started (version %(number)s): mark the courses added or removed.")
        % {"number": la.version_number},
    )
    return redirect("mobility:la_courses", la.pk)


# --- the agreement page -----------------------------------------------------------------------------------


def _history(la: LearningAgreement) -> list[dict[str, Any]]:
    from meridian.workflow.registry import case_types
    from meridian.workflow.selectors import history_for

    case_type = case_types.for_model(la)
    labels = {t.name: str(t.label) for t in case_type.transitions}
    labels.update(
        {
            "sign_sending": _("Approved for the sending institution"),
            "sign_receiving": _("Approved for the receiving institution"),
        }
    )
    return [
        {
            "entry": entry,
            "label": labels.get(entry.action, entry.action),
            "from_label": case_type.state_label(entry.from_state),
            "to_label": case_type.state_label(entry.to_state),
            "moved": entry.from_state != entry.to_state,
        }
        for entry in history_for(case=la)
    ]


def _sign_status(user: Any, la: LearningAgreement) -> dict[str, Any]:
    party = permissions.la_party(user, la)
    coordinator = party in {"sending", "receiving"}
    signed_at = getattr(la, f"{party}_signed_at") if coordinator else None
    return {
        "party": party,
        "party_label": services.party_label(party) if party else "",
        "can_sign": coordinator and la.state == L.SUBMITTED and signed_at is None,
        "signed_at": signed_at,
        "waiting_for_student": coordinator and la.state == L.DRAFT,
    }


def la_page_context(request: HttpRequest, la: LearningAgreement) -> dict[str, Any]:
    from meridian.documents.selectors import documents_for
    from meridian.workflow.services import moves_for

    user = request.user
    mobility = la.mobility
    versions = selectors.la_versions(mobility=mobility)
    in_progress = any(v.state in selectors.IN_PROGRESS for v in versions)
    prepare = services.may_prepare(user, mobility)
    can_edit = prepare and la.state == L.DRAFT
    moves = [option for option in moves_for(case=la, user=user) if option.name in MOVES]
    return {
        "frame": frame(user),
        "la": la,
        "mobility": mobility,
        "view": selectors.la_view(learning_agreement=la, user=user),
        "versions": versions,
        "sign": _sign_status(user, la),
        "moves": moves,
        "reject_form": RejectForm(),
        "can_edit": can_edit,
        "can_change": prepare
        and la.state == L.APPROVED
        and mobility.state in services.LA_MOBILITY_STATES
        and not in_progress,
        "can_pdf": can_generate_la_document(user, la) and la.courses.exists(),
        "documents": list(documents_for(subject=la, user=user)[:10]),
        "history": _history(la),
        "suggestions": selectors.equivalence_suggestions(learning_agreement=la) if can_edit else [],
        "is_change": la.kind == "changes",
        "mobility_url": mobility_url(user, mobility),
        "can_recognition": permissions.can_decide_recognition(user, mobility)
        or mobility.student_id == user.pk,
    }


@login_required
@require_safe
def la_detail(request: HttpRequest, pk: int) -> HttpResponse:
    la = selectors.la_get(user=request.user, pk=pk)
    return render(request, "mobility/learning/detail.html", la_page_context(request, la))


@login_required
@require_http_methods(["GET", "POST"])
def la_courses(request: HttpRequest, pk: int) -> HttpResponse:
    """Edit the course rows of a draft (the student or our side); suggestions from the catalogue beside."""
    la = selectors.la_get(user=request.user, pk=pk)
    if not services.may_prepare(request.user, la.mobility):
        raise PermissionDenied
    if la.state != L.DRAFT:
        messages.error(
            request,
            _("The courses can be changed only while the agreement is a draft; it is “%(state)s”.")
            % {"state": la.get_state_display()},
        )
        return _detail(la)
    errors: list[str] = []
    stale = None
    if request.method == "POST":
        formset = course_formset(la, request.POST)
        if formset.is_valid():
            try:
                services.la_courses_save(
                    learning_agreement=la,
                    actor=request.user,
                    expected_version=_int(request.POST.get("version")),
                    rows=formset.rows(),
                )
            except StaleEditError as exc:
                stale = exc
                errors = [exc.message]
            except PermissionDeniedError as exc:
                raise PermissionDenied(exc.message) from exc
            except (DomainError, ValidationError) as exc:
                errors = exc.messages if isinstance(exc, ValidationError) else [exc.message]
            else:
                messages.success(request, _("Courses saved."))
                if request.POST.get("then") == "more":
                    return redirect("mobility:la_courses", la.pk)
                return _detail(la)
        else:
            errors = [_("Correct the marked fields.")]
        la.refresh_from_db()
    else:
        formset = course_formset(la)
    context = {
        "frame": frame(request.user),
        "la": la,
        "mobility": la.mobility,
        "formset": formset,
        "errors": errors,
        "stale": stale,
        "version": stale.current_version if stale else la.version,
        "suggestions": selectors.equivalence_suggestions(learning_agreement=la),
        "is_change": la.kind == "changes",
    }
    return render(request, "mobility/learning/courses.html", context, status=400 if errors else 200)


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


@login_required
@require_POST
def la_suggestion_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a course from the catalogue with one click."""
    la = selectors.la_get(user=request.user, pk=pk)
    if not services.may_prepare(request.user, la.mobility):
        raise PermissionDenied
    form = SuggestionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a course of the catalogue."))
        return _detail(la)
    entry = CourseEquivalence.objects.filter(pk=form.cleaned_data["equivalence"]).first()
    if entry is None:
        messages.error(request, _("This course is not offered for this partner."))
        return _detail(la)
    try:
        services.la_course_add_from_equivalence(
            learning_agreement=la, actor=request.user, equivalence=entry, reason=form.cleaned_data["reason"]
        )
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except (DomainError, ValidationError) as exc:
        messages.error(request, error_text(exc))
    else:
        messages.success(request, _("Added “%(course)s”.") % {"course": entry.partner_title})
    target = request.POST.get("next")
    if target == "courses":
        return redirect("mobility:la_courses", la.pk)
    return _detail(la)


# --- moves and signatures -----------------------------------------------------------------------------------


@login_required
@require_POST
def la_move(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    """Sign and send (the student), reject with a reason (a coordinator), revise (the student or our side)."""
    if action not in MOVES:
        raise Http404
    la = selectors.la_get(user=request.user, pk=pk)
    try:
        if action == "submit":
            la = services.la_submit(learning_agreement=la, actor=request.user)
            messages.success(request, _("Signed and sent to the coordinators for approval."))
        elif action == "reject":
            form = RejectForm(request.POST)
            if not form.is_valid():
                messages.error(request, _("Say why the agreement is rejected."))
                return _detail(la)
            la = services.la_reject(
                learning_agreement=la, actor=request.user, reason=form.cleaned_data["reason"]
            )
            messages.success(request, _("The agreement was rejected; the student revises it."))
        else:
            la = services.la_reopen(learning_agreement=la, actor=request.user)
            messages.success(request, _("The agreement is a draft again: revise the courses."))
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except (DomainError, ValidationError) as exc:
        messages.error(request, error_text(exc))
    return _detail(la)


@login_required
@require_POST
def la_sign(request: HttpRequest, pk: int) -> HttpResponse:
    """A coordinator approves for their institution."""
    la = selectors.la_get(user=request.user, pk=pk)
    try:
        la = services.la_sign(learning_agreement=la, actor=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return _detail(la)
    if la.state == L.APPROVED:
        messages.success(request, _("Approved. All three parties have signed: the agreement is in force."))
    else:
        messages.success(request, _("Approved. The agreement now waits for the other institution."))
    return _detail(la)


@login_required
@require_POST
def la_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    """Generate the bilingual PDF and download it."""
    la = selectors.la_get(user=request.user, pk=pk)
    if not can_generate_la_document(request.user, la):
        raise PermissionDenied
    try:
        document = la_document_generate(learning_agreement=la, actor=request.user)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    except DomainError as exc:
        messages.error(request, exc.message)
        return _detail(la)
    return redirect("documents:download", document.pk)


# --- the catalogue ------------------------------------------------------------------------------------------


@login_required
@require_safe
def equivalence_list(request: HttpRequest) -> HttpResponse:
    """The course-equivalence catalogue (staff): filter by partner, school and text; withdraw entries."""
    if not is_internal(request.user):
        raise PermissionDenied
    base = selectors.equivalences_visible_to(request.user)
    filterset = EquivalenceFilter(request.GET or None, queryset=base)
    valid = filterset.is_valid() if request.GET else True
    rows = list(filterset.qs[: LIST_LIMIT + 1]) if valid else []
    entries = [
        {"entry": e, "can_withdraw": services.can_withdraw_equivalence(request.user, e)}
        for e in rows[:LIST_LIMIT]
    ]
    context = {
        "filter": filterset,
        "entries": entries,
        "more": len(rows) > LIST_LIMIT,
        "limit": LIST_LIMIT,
        "filter_errors": [] if valid else filter_errors(filterset),
    }
    return render(request, "mobility/learning/equivalences.html", context, status=200 if valid else 400)


@login_required
@require_POST
def equivalence_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    """Withdraw a catalogue entry (``withdrawn=1``) or offer it again (``withdrawn=0``)."""
    if not is_internal(request.user):
        raise PermissionDenied
    entry = get_object_or_404(selectors.equivalences_visible_to(request.user), pk=pk)
    choice = request.POST.get("withdrawn", "1")
    if choice not in ("0", "1"):
        message = _("“%(value)s” is not an answer here: 1 withdraws the entry, 0 offers it again.")
        return HttpResponseBadRequest(
            message % {"value": choice[:50]},
            content_type="text/plain; charset=utf-8",
        )
    withdrawn = choice == "1"
    try:
        services.equivalence_withdraw(equivalence=entry, actor=request.user, withdrawn=withdrawn)
    except PermissionDeniedError as exc:
        raise PermissionDenied(exc.message) from exc
    messages.success(
        request,
        (_("“%(entry)s” is no longer offered.") if withdrawn else _("“%(entry)s” is offered again."))
        % {"entry": str(entry)},
    )
    back = request.POST.get("next", "")
    if back and url_has_allowed_host_and_scheme(
        back, {request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(back)
    return redirect("mobility:equivalence_list")
