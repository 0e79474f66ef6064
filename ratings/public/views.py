"""The public compound page and its printable notice: no login, cached, rate-limited per address.

An unknown, unpublished or inactive compound is a 404. The language is the visitor's (LocaleMiddleware),
or `?lang=en` / `?lang=zh-hans` from the page's own switch (a public page has no form to post).
"""

from __future__ import annotations

import hashlib

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from communities.services import compound_public_page_set
from core import portal
from core.errors import ScopeError
from core.throttling import window_exceeded
from ratings import calc, charts, indicators
from ratings.models import MetricRun
from ratings.public import selectors

CACHE_SECONDS = 15 * 60
# Requests per minute from one address (pages and notices together): far above a reader's pace,
# low enough that scraping every compound takes a while.
REQUESTS_PER_MINUTE = 60
LANGUAGES = {"zh-hans", "en"}


def _cache_key(*parts) -> str:
    """Changes with each metrics run (the figures) and with the language."""
    run = MetricRun.objects.order_by("-id").values_list("id", "finished_at").first()
    stamp = f"{run[0]}.{run[1].timestamp() if run[1] else 0}" if run else "none"
    raw = ":".join(str(p) for p in (stamp, get_language(), *parts))
    return "ratings:public:" + hashlib.sha256(raw.encode()).hexdigest()


def _throttled(request: HttpRequest) -> HttpResponse | None:
    address = request.META.get("REMOTE_ADDR", "")
    if window_exceeded(f"public-page:{address}", limit=REQUESTS_PER_MINUTE, seconds=60):
        response = HttpResponse(_("Too many requests; please try again in a minute."), status=429, content_type="text/plain; charset=utf-8")
        response["Retry-After"] = "60"
        return response
    return None


def _content(compound) -> dict:
    card = selectors.public_card(compound)
    labels = [f"{m.month:%Y-%m}" + ("*" if m.partial else "") for m in card.months]
    names = [compound.name, card.town, card.district]
    ratio_chart = charts.line_chart(
        _("Complaint ratio (complaints per 100 households)"),
        labels,
        [(name, [m.ratio[i] for m in card.months]) for i, name in enumerate(names)],
        unit="",
    )
    satisfaction_chart = charts.line_chart(
        _("Ticket satisfaction rate"),
        labels,
        [(name, [m.ticket_satisfaction[i] for m in card.months]) for i, name in enumerate(names)],
    )
    rows = [
        [
            f"{m.month:%Y-%m}" + (" " + _("(partial)") if m.partial else ""),
            *[_num(v) for v in m.ratio],
            *[calc.pct(v) for v in m.ticket_satisfaction],
            *[calc.pct(v) for v in m.survey_satisfaction],
        ]
        for m in card.months
    ]
    # Catalogue names, each with the period the compound's figure covers; a town or district figure of
    # another period (an earlier survey round) says so in its cell.
    summary, summary_rows = {}, []
    for name, key in selectors.SUMMARY.items():
        figures = card.summary[name]
        period = figures[0].period
        summary[name] = [f.text if f.period == period else portal.aside(f.text, f.period) for f in figures]
        summary_rows.append(
            {
                "key": key,
                "label": indicators.get(key).label(),
                "period": period,
                "definition": str(indicators.get(key).definition),
                "values": summary[name],
            }
        )
    return {
        "card": card,
        "names": names,
        "rows": rows,
        "summary": summary,
        "summary_rows": summary_rows,
        "charts": [ratio_chart, satisfaction_chart],
    }


def _num(value) -> str:
    """A complaint ratio with two decimals; an em dash without households."""
    return "—" if value is None else str(calc.two_places(value))


def _cached_content(compound) -> dict:
    key = _cache_key("page", compound.public_id)
    content = cache.get(key)
    if content is None:
        content = _content(compound)
        cache.set(key, content, CACHE_SECONDS)
    return content


def _respond(request: HttpRequest, public_id: str, template: str) -> HttpResponse:
    limited = _throttled(request)
    if limited:
        return limited
    lang = request.GET.get("lang", "")
    with translation.override(lang if lang in LANGUAGES else get_language()):
        compound = selectors.public_compound_get(public_id)
        if compound is None:
            raise Http404
        page_url = request.build_absolute_uri(reverse("public:page", args=[compound.public_id]))
        context = {
            **_cached_content(compound),
            "compound": compound,
            "page_url": page_url,
            "lang_query": lang if lang in LANGUAGES else "",
        }
        if template.endswith("notice.html"):
            qr = segno.make(page_url, error="m")
            context["qr_svg"] = mark_safe(
                qr.svg_inline(scale=5, border=4, omitsize=True, title=_("Scan to open this compound's public page"))
            )
        response = render(request, template, context)
    response["Cache-Control"] = f"public, max-age={5 * 60}"
    return response


@require_GET
def page(request: HttpRequest, public_id: str) -> HttpResponse:
    return _respond(request, public_id, "ratings/public/page.html")


@require_GET
def notice(request: HttpRequest, public_id: str) -> HttpResponse:
    return _respond(request, public_id, "ratings/public/notice.html")


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    """An official publishes (publish=1) or withdraws (publish=0) a compound's public page."""
    try:
        compound = compound_public_page_set(actor=request.user, compound_id=pk, published=request.POST.get("publish") == "1")
    except ScopeError as exc:
        raise Http404 from exc
    messages.success(request, _("The public page is published.") if compound.public_page else _("The public page is withdrawn."))
    return redirect("ratings:area", level="compound", pk=pk)
