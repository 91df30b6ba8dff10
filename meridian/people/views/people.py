"""The people list, a person's page, and the person forms."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from meridian.core.errors import DuplicateError, PermissionDeniedError, StaleEditError
from meridian.people import permissions, selectors, services
from meridian.people.filters import PersonFilter
from meridian.people.forms import PersonForm, PurposeOfAccessForm, SelfServiceLinkForm
from meridian.people.models import Person
from meridian.people.views.common import (
    SignedInRequest,
    client_ip,
    keep_values_at_version,
    no_store,
    visible_person,
)

PAGE_SIZE = 25


@login_required
@require_GET
def person_list(request: SignedInRequest) -> HttpResponse:
    if not permissions.can_list_people(request.user):
        raise PermissionDenied
    filterset = PersonFilter(
        request.GET or None, queryset=selectors.person_list(user=request.user), request=request
    )
    queryset = filterset.qs if filterset.is_bound and filterset.is_valid() else filterset.queryset
    page_obj = Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "filter": filterset,
        "page_obj": page_obj,
        "can_create": permissions.can_create_person(request.user),
    }
    template = (
        "people/_results.html" if request.htmx and request.htmx.target == "results" else "people/list.html"
    )
    return no_store(render(request, template, context))


@login_required
@require_GET
def my_record(request: SignedInRequest) -> HttpResponse:
    """Everyone's own record (PIPL art. 45: the right to see one's own data)."""
    person = Person.objects.filter(user=request.user).first()
    if person is None:
        raise Http404
    return redirect(person)


@login_required
@require_GET
def person_detail(request: SignedInRequest, pk: int) -> HttpResponse:
    person = visible_person(request, pk)
    detail = selectors.person_detail(user=request.user, person=person)
    if detail.documents:
        # Seeing that a document exists, its type, dates and masked number is a read of it too.
        services.identity_documents_viewed(
            documents=detail.documents, actor=request.user, ip=client_ip(request), purpose=_("Person page")
        )
    context = {
        "person": person,
        "detail": detail,
        "access_form": PurposeOfAccessForm(),
        "link_form": SelfServiceLinkForm(),
        "today": timezone.localdate(),
        "can_list": permissions.can_list_people(request.user),
    }
    return no_store(render(request, "people/detail.html", context))


def _handle(request: SignedInRequest, person: Person | None) -> HttpResponse:
    user = request.user
    creating = person is None
    stale = duplicate = None
    if request.method == "POST":
        form = PersonForm(request.POST, user=user, creating=creating)
        if form.is_valid():
            allow = form.cleaned_data.get("allow_duplicate", False)
            try:
                if person is None:
                    saved = services.person_create(
                        actor=user,
                        allow_duplicate=allow,
                        purposes=list(form.cleaned_data.get("purposes") or []),
                        **form.service_fields(),
                    )
                    messages.success(request, _("Person record created."))
                else:
                    saved = services.person_update(
                        person=person,
                        actor=user,
                        expected_version=form.cleaned_data.get("version"),
                        allow_duplicate=allow,
                        **form.service_fields(),
                    )
                    messages.success(request, _("Person record saved."))
                return redirect(saved)
            except StaleEditError as exc:
                stale = exc
                keep_values_at_version(form, exc.current_version)
            except DuplicateError as exc:
                duplicate = exc
            except ValidationError as exc:
                form.add_service_errors(exc)
            except PermissionDeniedError as exc:
                form.add_error(None, exc.message)
    else:
        initial = PersonForm.initial_from(person) if person is not None else {}
        form = PersonForm(initial=initial, user=user, creating=creating)
    context = {"form": form, "person": person, "stale": stale, "duplicate": duplicate}
    return no_store(render(request, "people/form.html", context))


@login_required
@require_http_methods(["GET", "POST"])
def person_create(request: SignedInRequest) -> HttpResponse:
    if not permissions.can_create_person(request.user):
        raise PermissionDenied
    return _handle(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def person_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    person = visible_person(request, pk)
    if not permissions.can_edit_person(request.user, person):
        raise PermissionDenied
    return _handle(request, person)
