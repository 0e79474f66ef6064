"""The floor for complaint creation: a bare view writing the rows `complaint_create` writes, in one transaction.

Rows per request, as complaints.services.complaint_create writes them for a resident filing about a
compound managed by a company: the complaint (dispatched, assigned, with its working-time deadlines),
two events (create, dispatch), one notification per staff member of the company and one for the
reporter. No authentication, no validation, no serializer, no re-read: the reporter, the company
and its staff are looked up once per worker process and reused, so only the writes remain.
"""

from __future__ import annotations

import json
import uuid
from functools import cache

from django.db import transaction
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from complaints.models import Category, Complaint, ComplaintEvent
from complaints.services import company_staff, deadlines_from
from core.models import Notification, User

Status = Complaint.Status
Kind = ComplaintEvent.Kind


@cache
def _context(compound_id: int, reporter_id: int) -> tuple:
    from communities.models import Compound, ManagementContract

    compound = Compound.objects.get(pk=compound_id)
    company_id = ManagementContract.objects.in_force().filter(compound=compound).values_list("company_id", flat=True).first()
    staff = company_staff(company_id) if company_id else []
    return compound, company_id, [u.pk for u in staff], User.objects.get(pk=reporter_id)


@cache
def _category(category_id: int) -> Category:
    return Category.objects.get(pk=category_id)


@csrf_exempt
def bare_complaint(request: HttpRequest) -> HttpResponse:
    data = json.loads(request.body)
    compound, company_id, staff_ids, reporter = _context(int(data["compound"]), int(data["reporter"]))
    category = _category(int(data["category"]))
    now = timezone.now()
    response_due, resolve_due = deadlines_from(now, category)
    with transaction.atomic():
        complaint = Complaint.objects.create(
            number=f"B{uuid.uuid4().hex[:22]}",
            compound=compound,
            category=category,
            channel=Complaint.Channel.APP,
            description=data["description"],
            reporter=reporter,
            reporter_name=reporter.display_name,
            reporter_phone=reporter.phone,
            status=Status.DISPATCHED,
            assigned_company_id=company_id,
            made_at=now,
            dispatched_at=now,
            response_due=response_due,
            resolve_due=resolve_due,
        )
        ComplaintEvent.objects.bulk_create(
            [
                ComplaintEvent(complaint=complaint, kind=Kind.CREATE, actor=reporter, to_status=Status.SUBMITTED, note="app"),
                ComplaintEvent(
                    complaint=complaint, kind=Kind.DISPATCH, actor=reporter, from_status=Status.SUBMITTED, to_status=Status.DISPATCHED
                ),
            ]
        )
        skipped = Notification.EmailStatus.SKIPPED
        Notification.objects.bulk_create(
            [
                *(
                    Notification(user_id=pk, kind="complaint.assigned", title=f"New complaint {complaint.number}", email_status=skipped)
                    for pk in staff_ids
                ),
                Notification(
                    user=reporter, kind="complaint.dispatched", title=f"Complaint {complaint.number} dispatched", email_status=skipped
                ),
            ]
        )
    return JsonResponse({"id": complaint.pk, "number": complaint.number}, status=201)
