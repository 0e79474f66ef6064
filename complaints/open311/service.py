"""The one write of the Open311 interface: a client's POST becomes a complaint (channel `open311`)."""

from __future__ import annotations

import hmac
import logging
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import QueryDict
from django.utils.translation import gettext as _

from communities.models import Compound
from complaints.hotline.service import Matcher, RawRow
from complaints.models import Category, Complaint, Open311Client
from core import errors

log = logging.getLogger(__name__)

MAX_DESCRIPTION = 4000  # the specification's limit
# Requests a client may POST per minute; beyond it the answer is 429 (SPEC §6.1 throttling).
POSTS_PER_MINUTE = 120


@dataclass(frozen=True)
class Refusal:
    status: int
    descriptions: tuple[str, ...]


def notice(category: Category) -> str:
    """What the requester can expect: the category's deadlines (service_notice)."""
    return _("Signed for within %(hours)d working hours and resolved within %(days)d working days.") % {
        "hours": category.accept_hours,
        "days": category.resolve_days,
    }


def client_for(api_key: str) -> Open311Client | None:
    if not api_key:
        return None
    client = Open311Client.objects.filter(api_key=api_key, is_active=True).first()
    # The lookup already matched; compare again in constant time so timing says nothing about near misses.
    if client is None or not hmac.compare_digest(client.api_key, api_key):
        return None
    return client


def _throttled(client: Open311Client) -> bool:
    """Fixed one-minute window per client in the cache; fails open when the cache (Redis) is down."""
    key = f"open311:posts:{client.pk}:{client.created_at.timestamp():.0f}:{int(time.time() // 60)}"
    try:
        cache.add(key, 0, timeout=70)
        return cache.incr(key) > POSTS_PER_MINUTE
    except Exception:
        log.warning("cache unavailable; Open311 posts not throttled", exc_info=True)
        return False


def open311_request_create(*, data: QueryDict) -> Complaint | Refusal:
    """Validate a POST Service Request and file the complaint through `complaint_create`.

    Order of checks follows the specification: api_key (403), service_code (400 missing, 404 unknown),
    location and description (400). `attribute[...]` is ignored: no service defines attributes.
    Side effects: one complaint with its dispatch, events and notifications (see complaint_create).
    """
    client = client_for(data.get("api_key", "").strip())
    if client is None:
        return Refusal(403, (_("Invalid or missing api_key: cannot create the service request."),))
    if _throttled(client):
        return Refusal(429, (_("Too many requests from this api_key; try again in a minute."),))
    code = data.get("service_code", "").strip()
    if not code:
        return Refusal(400, (_("service_code was not provided."),))
    category = Category.objects.filter(code=code, is_active=True).first()
    if category is None:
        return Refusal(404, (_("service_code %(code)s was not found.") % {"code": code},))

    problems: list[str] = []
    compound = None
    address_id = data.get("address_id", "").strip()
    address_string = data.get("address_string", "").strip()
    if address_id:
        if address_id.isdigit():
            compound = Compound.objects.filter(pk=int(address_id), is_active=True).first()
        if compound is None:
            problems.append(_("address_id %(id)s is not a known compound.") % {"id": address_id[:20]})
    elif address_string:
        row = RawRow(number=0, ticket="", time=None, content="", category="", address=address_string, phone="", compound="")
        compound, reason = Matcher().compound(row)
        if compound is None:
            problems.append(reason)
    else:
        problems.append(_("A location is required: address_id (a compound id) or address_string naming the compound."))
    description = data.get("description", "").strip()
    if not description:
        problems.append(_("description was not provided."))
    elif len(description) > MAX_DESCRIPTION:
        problems.append(_("description is longer than 4,000 characters."))
    if problems:
        return Refusal(400, tuple(problems))

    from complaints.services import complaint_create

    name = " ".join(p for p in (data.get("last_name", "").strip(), data.get("first_name", "").strip()) if p)
    try:
        return complaint_create(
            compound=compound,
            category=category,
            description=description,
            channel=Complaint.Channel.OPEN311,
            reporter_name=name[:50],
            reporter_phone=data.get("phone", "").strip()[:20],
        )
    except errors.DomainError as exc:
        return Refusal(400, (exc.message,))
