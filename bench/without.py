"""The plain versions of complaint filing's fast paths, for measuring what each one is worth.

`BENCH_WITHOUT=<name>` (read by bench.settings, so only the bench's gunicorn sees it) runs the
bench with one fast path replaced by the plain code it stands for; `bench/fastpaths.py` runs
`bench/complaint_create.py` once per name and compares the ratios. Nothing here is imported by
Linli itself. `bench/tests/test_without.py` files a complaint through the API under every variant and
checks the answer and the rows are those of the fast path.

Each variant is a change of settings (`settings_without`, applied while bench.settings loads) and/or
a patch of one attribute (`patch`, applied when the apps are ready, by bench.apps); `patch` takes
the `setattr` to use, so a test can apply it with pytest's monkeypatch and have it undone.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable

# name: what runs instead of the fast path
VARIANTS: dict[str, str] = {
    "auth": "simplejwt's own JWTAuthentication (User by USER_ID_FIELD); roles_of prefetches the roles on first use",
    "filing_reads": "the ORM querysets for compound (with today's company), category and the company's staff",
    "prepared": "core.sql reads as plain client-side queries (DB_PREPARED_STATEMENTS=0)",
    "throttle": "DRF's stock throttles (history list read and written back in the cache)",
    "shared_fields": "DRF's deep copy of the create serializer's declared fields per instance",
    "template_fields": "DRF's ModelSerializer.to_representation for the detail and its events",
    "timeline": "the new complaint's events and photos re-read (complaint_get) for the 201 response",
    "number_trigger": "a provisional number on INSERT, then an UPDATE with the one derived from the id",
    "choice_labels": "status, channel and event-kind labels read through get_FOO_display() (DRF's get_attribute)",
}


def check(name: str) -> str:
    if name and name not in VARIANTS:
        raise ValueError(f"BENCH_WITHOUT={name!r}: one of {', '.join(VARIANTS)}")
    return name


def settings_without(name: str, namespace: dict) -> None:
    """Change the settings module's `namespace` (bench.settings' globals) for variant `name`."""
    check(name)
    if name == "auth":
        rf = namespace["REST_FRAMEWORK"]
        classes = ["rest_framework_simplejwt.authentication.JWTAuthentication"]
        classes += [c for c in rf["DEFAULT_AUTHENTICATION_CLASSES"] if not c.endswith(".JWTAuthentication")]
        namespace["REST_FRAMEWORK"] = {**rf, "DEFAULT_AUTHENTICATION_CLASSES": classes}
    elif name == "throttle":
        rf = namespace["REST_FRAMEWORK"]
        classes = ["rest_framework.throttling." + c.rsplit(".", 1)[1] for c in rf["DEFAULT_THROTTLE_CLASSES"]]
        namespace["REST_FRAMEWORK"] = {**rf, "DEFAULT_THROTTLE_CLASSES": classes}
    elif name == "prepared":
        namespace["DATABASES"]["default"].get("OPTIONS", {}).pop("prepare_threshold", None)


# --- the plain code -------------------------------------------------------------------------------


def orm_filing_targets(*, compound_id: int, category_id: int):
    """complaints.selectors.filing_targets through the ORM: compound with its places and today's company,
    the category, the company's active staff (three queries)."""
    from communities.models import Compound, PropertyCompany
    from communities.selectors import with_current_company
    from complaints.models import Category
    from complaints.selectors import FilingTargets
    from complaints.services import FilingContext, company_staff

    compound = with_current_company(
        Compound.objects.filter(pk=compound_id, is_active=True).select_related("community__subdistrict")
    ).first()
    category = Category.objects.filter(pk=category_id, is_active=True).first()
    company, staff = None, []
    if compound is not None and compound.cc_id is not None:
        company = PropertyCompany.from_db("default", ["id", "name"], [compound.cc_id, compound.cc_name])
        staff = company_staff(compound.cc_id)
    return FilingTargets(compound=compound, category=category, context=FilingContext(company=company, staff=staff))


def reread_timeline(self, obj):
    """ComplaintDetailSerializer._timeline reading the complaint's events and photos again (complaint_get)."""
    from complaints import selectors, services

    fresh = selectors.complaint_get(user=self.context["request"].user, pk=obj.pk)
    return services.Timeline(events=fresh.events.all(), photos=fresh.photos.all())


def _create_then_number(create):
    """Complaint's manager `create` as before the trigger: a provisional number, then the UPDATE."""

    def wrapper(self, **kwargs):
        from django.utils import timezone

        from complaints.models import Complaint
        from complaints.services import _number

        if self.model is not Complaint or kwargs.get("number"):
            return create(self, **kwargs)
        complaint = create(self, **{**kwargs, "number": uuid.uuid4().hex[:24]})
        complaint.number = _number(complaint.made_at, complaint.pk)
        Complaint.objects.filter(pk=complaint.pk).update(number=complaint.number, updated_at=timezone.now())
        return complaint

    return wrapper


def patch(name: str, setattr: Callable = setattr) -> None:
    """Replace the fast path `name` by its plain version (attribute patches; settings_without does the rest)."""
    check(name)
    from rest_framework import serializers as drf
    from rest_framework import throttling

    from complaints import selectors
    from complaints.api import serializers, views
    from complaints.models import Complaint
    from core import api

    if name == "filing_reads":
        setattr(selectors, "filing_targets", orm_filing_targets)
    elif name == "throttle":

        class ComplaintCreateThrottle(throttling.ScopedRateThrottle):
            scope_attr = "throttle_scope"

        setattr(views, "ComplaintCreateThrottle", ComplaintCreateThrottle)
    elif name == "shared_fields":
        setattr(api.SharedFieldsMixin, "get_fields", drf.Serializer.get_fields)
    elif name == "template_fields":
        setattr(serializers.TemplateFieldsMixin, "to_representation", drf.ModelSerializer.to_representation)
    elif name == "timeline":
        setattr(serializers.ComplaintDetailSerializer, "_timeline", reread_timeline)
    elif name == "number_trigger":
        manager = type(Complaint._default_manager)
        setattr(manager, "create", _create_then_number(manager.create))
    elif name == "choice_labels":
        for serializer, names in (
            (serializers.ComplaintSerializer, ("status", "channel")),
            (serializers.ComplaintDetailSerializer, ("status", "channel")),
            (serializers.EventSerializer, ("kind",)),
        ):
            plain = {f"{n}_display": drf.CharField(source=f"get_{n}_display", read_only=True) for n in names}
            setattr(serializer, "_declared_fields", {**serializer._declared_fields, **plain})
