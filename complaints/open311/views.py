"""Open311 GeoReport v2 endpoints under /open311/v2/ (http://wiki.open311.org/GeoReport_v2).

One jurisdiction, so `jurisdiction_id` is accepted and ignored. Services are the active complaint
categories (`service_code` = Category.code, no extra attributes: `metadata` false). Service requests
are complaints; `service_request_id` is the complaint number and `address_id` a compound id. Reads
are public and carry no personal data of the reporter (no name, phone, account or in-compound
location). POST needs the `api_key` of an active Open311Client (issued in the admin) and creates a
complaint with channel `open311`; requests are `realtime`, so `tokens/{token}` only resolves a token
equal to a request id.
"""

from __future__ import annotations

import re
from datetime import datetime, timedelta

from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date, parse_datetime
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt

from complaints.models import Category, Complaint
from complaints.open311 import service
from complaints.open311.render import error, respond

SPECIFICATION = "http://wiki.open311.org/GeoReport_v2"
CHANGESET = "2026-11-30T00:00:00+08:00"
WINDOW = timedelta(days=90)
MAX_REQUESTS = 1000
CLOSED = (Complaint.Status.CLOSED, Complaint.Status.REJECTED)


def w3(moment: datetime | None) -> str | None:
    """ISO 8601 in local time with its offset, e.g. 2026-11-30T08:05:26+08:00."""
    if moment is None:
        return None
    return timezone.localtime(moment).isoformat(timespec="seconds")


def _english() -> bool:
    return (translation.get_language() or "").startswith("en")


def _service_name(category: Category) -> str:
    return category.name_en if _english() and category.name_en else category.name_zh


def _only_get(request: HttpRequest, fmt: str) -> HttpResponse | None:
    if request.method not in ("GET", "HEAD"):
        return error(fmt, 405, _("Method %(method)s is not allowed here.") % {"method": request.method})
    return None


# --- Discovery and services ------------------------------------------------------------------


def discovery(request: HttpRequest, fmt: str) -> HttpResponse:
    if bad := _only_get(request, fmt):
        return bad
    data = {
        "changeset": CHANGESET,
        "contact": _("Quangang district property-management office, via the Linli portal."),
        "key_service": _("API keys for posting service requests are issued by the district's Linli administrators."),
        "endpoints": [
            {
                "specification": SPECIFICATION,
                "url": request.build_absolute_uri("/open311/v2"),
                "changeset": CHANGESET,
                "type": "production",
                "formats": ["text/xml", "application/json"],
            }
        ],
    }
    return respond(fmt, "discovery", data)


def _service(category: Category) -> dict:
    return {
        "service_code": category.code,
        "service_name": _service_name(category),
        "description": category.description,
        "metadata": False,
        "type": "realtime",
        "keywords": category.keywords,
        "group": category.group,
    }


def services(request: HttpRequest, fmt: str) -> HttpResponse:
    if bad := _only_get(request, fmt):
        return bad
    return respond(fmt, "services", [_service(c) for c in Category.objects.filter(is_active=True)])


def service_definition(request: HttpRequest, code: str, fmt: str) -> HttpResponse:
    if bad := _only_get(request, fmt):
        return bad
    if not Category.objects.filter(code=code, is_active=True).exists():
        return error(fmt, 404, _("service_code %(code)s was not found.") % {"code": code})
    return respond(fmt, "service_definition", {"service_code": code, "attributes": []})


# --- Service requests ------------------------------------------------------------------------


def _public_requests() -> QuerySet[Complaint]:
    return Complaint.objects.select_related(
        "category", "compound__community__subdistrict", "assigned_company", "assigned_community"
    ).order_by("-made_at", "-id")


# Residents sometimes type their phone or ID number into the description; public output masks them.
_MOBILE = re.compile(r"(?<!\d)(1[3-9]\d)\d{4}(\d{4})(?!\d)")
_ID_CARD = re.compile(r"(?<![0-9Xx])(\d{6})\d{8}(\d{3}[0-9Xx])(?![0-9Xx])")


def public_text(text: str) -> str:
    return _MOBILE.sub(r"\1****\2", _ID_CARD.sub(r"\1********\2", text))


def _status_notes(c: Complaint) -> str:
    if c.status == Complaint.Status.REJECTED and c.reject_reason:
        return f"{c.get_status_display()}: {c.get_reject_reason_display()}"
    return c.get_status_display()


def _request(c: Complaint) -> dict:
    compound = c.compound
    community = compound.community
    address = ", ".join(p for p in (compound.address, compound.name, community.name, community.subdistrict.name) if p)
    closed = c.status in CLOSED
    agency = c.assigned_company.name if c.assigned_company else (c.assigned_community.name if c.assigned_community else None)
    return {
        "service_request_id": c.number,
        "status": "closed" if closed else "open",
        "status_notes": _status_notes(c),
        "service_name": _service_name(c.category),
        "service_code": c.category.code,
        "description": public_text(c.description),
        "agency_responsible": agency,
        "service_notice": service.notice(c.category),
        "requested_datetime": w3(c.made_at),
        "updated_datetime": w3((c.closed_at or c.updated_at) if closed else c.updated_at),
        "expected_datetime": w3(c.resolve_due),
        "address": address,
        "address_id": compound.pk,
        "zipcode": None,
        "lat": float(compound.latitude) if compound.latitude is not None else None,
        "long": float(compound.longitude) if compound.longitude is not None else None,
        # Photos can show people and homes: public output carries none.
        "media_url": None,
    }


def _moment(value: str, *, end: bool = False) -> datetime | None:
    parsed = parse_datetime(value)
    if parsed is None:
        day = parse_date(value)
        if day is None:
            raise ValueError(value)
        parsed = datetime(day.year, day.month, day.day) + (timedelta(days=1) - timedelta(microseconds=1) if end else timedelta())
    if timezone.is_naive(parsed):
        parsed = timezone.make_aware(parsed)
    return parsed


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split(",") if v.strip()]


def requests_view(request: HttpRequest, fmt: str) -> HttpResponse:
    if request.method == "POST":
        return _post_request(request, fmt)
    if bad := _only_get(request, fmt):
        return bad
    params = request.GET
    qs = _public_requests()
    ids = _split(params.get("service_request_id", ""))
    if ids:
        # "This overrides all other arguments."
        return respond(fmt, "service_requests", [_request(c) for c in qs.filter(number__in=ids[:MAX_REQUESTS])])

    problems = []
    try:
        start = _moment(params["start_date"]) if params.get("start_date") else None
    except ValueError:
        start, problems = None, [*problems, _("start_date must be a w3 datetime such as 2026-01-01T00:00:00+08:00.")]
    try:
        end = _moment(params["end_date"], end=True) if params.get("end_date") else None
    except ValueError:
        end, problems = None, [*problems, _("end_date must be a w3 datetime such as 2026-01-31T23:59:59+08:00.")]
    statuses = [s.lower() for s in _split(params.get("status", ""))]
    if any(s not in ("open", "closed") for s in statuses):
        problems.append(_("status must be open or closed (comma-separated)."))
    if problems:
        return error(fmt, 400, *problems)

    if start and end:
        if end < start:
            return error(fmt, 400, _("end_date is before start_date."))
        if end - start > WINDOW:
            return error(fmt, 400, _("start_date and end_date may not span more than 90 days."))
    elif start:
        end = start + WINDOW
    elif end:
        start = end - WINDOW
    else:
        end = timezone.now()
        start = end - WINDOW
    qs = qs.filter(made_at__gte=start, made_at__lte=end)

    codes = _split(params.get("service_code", ""))
    if codes:
        qs = qs.filter(category__code__in=codes)
    if set(statuses) == {"open"}:
        qs = qs.exclude(status__in=CLOSED)
    elif set(statuses) == {"closed"}:
        qs = qs.filter(status__in=CLOSED)
    return respond(fmt, "service_requests", [_request(c) for c in qs[:MAX_REQUESTS]])


def request_detail(request: HttpRequest, request_id: str, fmt: str) -> HttpResponse:
    if bad := _only_get(request, fmt):
        return bad
    complaint = _public_requests().filter(number=request_id).first()
    if complaint is None:
        return error(fmt, 404, _("service_request_id %(id)s was not found.") % {"id": request_id})
    return respond(fmt, "service_requests", [_request(complaint)])


def token_detail(request: HttpRequest, token: str, fmt: str) -> HttpResponse:
    if bad := _only_get(request, fmt):
        return bad
    # Requests are realtime: POST returns the id itself; a token, if a client sends one, is that id.
    complaint = Complaint.objects.filter(number=token, channel=Complaint.Channel.OPEN311).only("number").first()
    if complaint is None:
        return error(fmt, 404, _("token %(token)s was not found.") % {"token": token})
    return respond(fmt, "service_requests", [{"service_request_id": complaint.number, "token": token}])


@csrf_exempt
def requests_endpoint(request: HttpRequest, fmt: str) -> HttpResponse:
    return requests_view(request, fmt)


def _post_request(request: HttpRequest, fmt: str) -> HttpResponse:
    result = service.open311_request_create(data=request.POST)
    if isinstance(result, service.Refusal):
        return error(fmt, result.status, *result.descriptions)
    return respond(
        fmt,
        "service_requests",
        [{"service_request_id": result.number, "service_notice": service.notice(result.category), "account_id": None}],
        status=201,
    )


def not_found(request: HttpRequest, rest: str = "") -> HttpResponse:
    fmt = "json" if request.path.endswith(".json") else "xml"
    return error(fmt, 404, _("No such Open311 resource: %(path)s") % {"path": request.path})
