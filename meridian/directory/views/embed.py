"""The embeddable map/list widget (framed by any site) and the snippet generator for editors."""

from __future__ import annotations

from urllib.parse import urlencode

from csp.decorators import csp_replace
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.translation import gettext_lazy as _
from django.views.decorators.clickjacking import xframe_options_exempt

from meridian.core.i18n import university_name
from meridian.directory import permissions, selectors
from meridian.directory.filters import PublicPartnerFilter, filter_params

VIEWS = (("both", _("Map and list")), ("map", _("Map only")), ("list", _("List only")))
DEFAULT_LIMIT = 20
MAX_LIMIT = 100


def _limit(value: str | None) -> int:
    try:
        return max(1, min(MAX_LIMIT, int(value or DEFAULT_LIMIT)))
    except ValueError:
        return DEFAULT_LIMIT


# Any site may frame the widget (and only the widget: every other page keeps X-Frame-Options DENY and the
# Content-Security-Policy's frame-ancestors 'none'); the rest of the policy is the site's.
@xframe_options_exempt
@csp_replace({"frame-ancestors": ["*"]})
def embed(request: HttpRequest) -> HttpResponse:
    """Parameters: view=map|list|both, country, region, type, channel, q, limit; language from the prefix."""
    view = request.GET.get("view", "both")
    view = view if view in dict(VIEWS) else "both"
    filterset = selectors.public_partner_list(filters=request.GET, request=request)
    params = filter_params(filterset.form.cleaned_data if filterset.is_valid() else {})
    context: dict = {"view": view, "params": params}
    if view in ("list", "both"):
        queryset = filterset.qs
        partners = list(queryset[: _limit(request.GET.get("limit"))])
        for partner in partners:
            partner.public_channels = selectors.partner_channels(partner)
        context.update(partners=partners, result_count=queryset.count())
    if view in ("map", "both"):
        context.update(selectors.map_context(filters=params, target="_blank"))
    context["directory_url"] = reverse("directory:list") + (f"?{urlencode(params)}" if params else "")
    return render(request, "directory/embed.html", context)


class SnippetForm(forms.Form):
    view = forms.ChoiceField(label=_("Show"), choices=VIEWS, initial="both")
    language = forms.ChoiceField(label=_("Language"), choices=(("en", "English"), ("zh-hans", "简体中文")))
    limit = forms.IntegerField(
        label=_("Partners listed (at most)"), min_value=1, max_value=MAX_LIMIT, initial=DEFAULT_LIMIT
    )
    width = forms.IntegerField(label=_("Width (pixels)"), min_value=200, max_value=2000, initial=800)
    height = forms.IntegerField(label=_("Height (pixels)"), min_value=200, max_value=3000, initial=600)


def _embed_url(request: HttpRequest, *, language: str, params: dict) -> str:
    with translation.override(language):
        path = reverse("directory:embed")
    return request.build_absolute_uri(path) + (f"?{urlencode(params)}" if params else "")


@login_required
def snippet(request: HttpRequest) -> HttpResponse:
    if not permissions.can_make_embed_snippet(request.user):
        raise Http404
    defaults = {
        "view": "both",
        "language": translation.get_language(),
        "limit": DEFAULT_LIMIT,
        "width": 800,
        "height": 600,
    }
    data = request.GET if request.GET else defaults
    form = SnippetForm(data)
    filterset = PublicPartnerFilter(data, request=request)
    context: dict = {"form": form, "filter": filterset}
    if form.is_valid() and filterset.is_valid():
        options = form.cleaned_data
        params = {
            "view": options["view"],
            **filter_params(filterset.form.cleaned_data),
            "limit": options["limit"],
        }
        url = _embed_url(request, language=options["language"], params=params)
        with translation.override(options["language"]):
            title = str(_("Partner institutions of %(university)s") % {"university": university_name()})
        context.update(
            embed_url=url,
            width=options["width"],
            height=options["height"],
            code=(
                f'<iframe src="{escape(url)}" width="{options["width"]}" height="{options["height"]}" '
                f'title="{escape(title)}" loading="lazy" style="border:0"></iframe>'
            ),
        )
    return render(request, "directory/snippet.html", context)
