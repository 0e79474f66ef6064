"""Input and output serializers of the complaints API. Input serializers validate; services write."""

from __future__ import annotations

from operator import attrgetter

from django.core.exceptions import ObjectDoesNotExist
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers
from rest_framework.fields import SkipField, is_simple_callable
from rest_framework.relations import ManyRelatedField, PKOnlyObject, RelatedField

from communities.models import Community, PropertyCompany, RoleAssignment
from communities.selectors import has_role
from complaints import selectors, services
from complaints.models import Category, Complaint, ComplaintEvent, ComplaintPhoto
from core.api import ChoiceLabelField, SharedFieldsMixin
from core.privacy import mask_name, mask_phone


def hides_reporter(user, complaint: Complaint) -> bool:
    """Anonymous complaints hide the reporter's name and phone from property staff (SPEC §3).

    Only the reporter, officials and superusers see them; everyone else who can see the complaint
    at all is property staff.
    """
    if not complaint.is_anonymous or user.is_superuser or complaint.reporter_id == user.pk:
        return False
    return not has_role(user, RoleAssignment.Role.OFFICIAL)


class TemplateFieldsMixin:
    """Render with fields built once per process instead of once per serializer instance.

    DRF builds (and deep-copies) every field of a ModelSerializer for each new instance; for a detail
    response that is most of its cost. Here `to_representation` uses the fields of one template
    instance per class, and this instance only for what depends on the request: SerializerMethodFields
    are called on `self`, so they see `self.context`. Use it only where the other fields (and any
    nested serializers) do not read the context; the output is that of the plain serializer.

    Plain attribute fields are read with one `attrgetter` of their dotted source; anything unusual
    (a missing or None link in the chain, a callable, a related field) takes DRF's own
    `get_attribute`, so defaults, `allow_null` and skipped fields behave exactly as DRF's.
    """

    _templates: dict = {}

    @classmethod
    def _template_fields(cls) -> list:
        fields = TemplateFieldsMixin._templates.get(cls)
        if fields is None:
            fields = []
            for field in cls(context={})._readable_fields:
                if isinstance(field, serializers.SerializerMethodField):
                    fields.append((field, field.method_name, None))
                elif field.source == "*" or isinstance(field, (RelatedField, ManyRelatedField)):
                    fields.append((field, None, None))
                else:
                    fields.append((field, None, attrgetter(".".join(field.source_attrs))))
            TemplateFieldsMixin._templates[cls] = fields
        return fields

    def to_representation(self, instance) -> dict:
        ret = {}
        for field, method_name, getter in self._template_fields():
            if method_name is not None:
                ret[field.field_name] = getattr(self, method_name)(instance)
                continue
            try:
                attribute = getter(instance) if getter is not None else field.get_attribute(instance)
                if getter is not None and is_simple_callable(attribute):
                    attribute = field.get_attribute(instance)  # DRF calls it (and handles what it raises)
            except SkipField:
                continue
            except (AttributeError, KeyError, ObjectDoesNotExist):
                # A broken chain (a None or missing link): DRF's get_attribute decides (default, None or its error).
                try:
                    attribute = field.get_attribute(instance)
                except SkipField:
                    continue
            check_for_none = attribute.pk if isinstance(attribute, PKOnlyObject) else attribute
            ret[field.field_name] = None if check_for_none is None else field.to_representation(attribute)
        return ret


class CategorySerializer(serializers.ModelSerializer):
    name = serializers.SerializerMethodField()

    class Meta:
        model = Category
        fields = ["id", "code", "name", "name_zh", "name_en", "group", "accept_hours", "resolve_days", "is_urgent", "is_target"]

    def get_name(self, obj: Category) -> str:
        return category_name(obj)


def category_name(category: Category) -> str:
    """The category's name in the request's language (English, else Chinese)."""
    return category.name_en if (get_language() or "").startswith("en") else category.name_zh


class BriefSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    name = serializers.CharField()


class ComplaintSerializer(serializers.ModelSerializer):
    """A list row (and the head of the detail)."""

    status_display = ChoiceLabelField(source="status", choices=Complaint.Status.choices)
    channel_display = ChoiceLabelField(source="channel", choices=Complaint.Channel.choices)
    compound = BriefSerializer(read_only=True)
    category = serializers.SerializerMethodField()
    subdistrict = serializers.CharField(source="compound.community.subdistrict.name", read_only=True)
    assigned_to = serializers.SerializerMethodField()
    reporter_name = serializers.SerializerMethodField()
    reporter_phone = serializers.SerializerMethodField()
    # Blank until the resident rates it (the schema must allow "").
    rating = serializers.ChoiceField(choices=Complaint.Rating.choices, allow_blank=True, read_only=True)
    # Which deadline an open complaint has missed now (empty if none): sign_for 签收超时, resolve 办结超时.
    missed_deadlines = serializers.ListField(child=serializers.ChoiceField(choices=Complaint.Overdue.choices), read_only=True)

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "status",
            "status_display",
            "compound",
            "subdistrict",
            "category",
            "channel",
            "channel_display",
            "description",
            "location",
            "is_anonymous",
            "reporter_name",
            "reporter_phone",
            "assigned_to",
            "made_at",
            "response_due",
            "resolve_due",
            "is_overdue",
            "missed_deadlines",
            "extended",
            "supervised",
            "reopen_count",
            "supporter_count",
            "rating",
            "accepted_at",
            "resolved_at",
            "closed_at",
        ]
        read_only_fields = fields

    @extend_schema_field(BriefSerializer)
    def get_category(self, obj: Complaint) -> dict:
        return {"id": obj.category_id, "code": obj.category.code, "name": category_name(obj.category)}

    @extend_schema_field(OpenApiTypes.STR)
    def get_assigned_to(self, obj: Complaint) -> str:
        return str(obj.assigned_company or obj.assigned_community or "")

    def _hidden(self, obj: Complaint) -> bool:
        return hides_reporter(self.context["request"].user, obj)

    # Lists show the reporter's name and phone masked (王*, 138****1234) to everyone but the reporter;
    # the detail, where a handler works on one complaint and may need to call, shows them in full (PIPL).
    mask_personal_data = True

    def _masked(self, obj: Complaint) -> bool:
        return self.mask_personal_data and obj.reporter_id != self.context["request"].user.pk

    def get_reporter_name(self, obj: Complaint) -> str:
        if self._hidden(obj):
            return ""
        return mask_name(obj.reporter_name) if self._masked(obj) else obj.reporter_name

    def get_reporter_phone(self, obj: Complaint) -> str:
        if self._hidden(obj):
            return ""
        return mask_phone(obj.reporter_phone) if self._masked(obj) else obj.reporter_phone


class EventSerializer(TemplateFieldsMixin, serializers.ModelSerializer):
    kind_display = ChoiceLabelField(source="kind", choices=ComplaintEvent.Kind.choices)
    actor = serializers.SerializerMethodField()

    class Meta:
        model = ComplaintEvent
        fields = ["id", "kind", "kind_display", "actor", "at", "from_status", "to_status", "note"]
        read_only_fields = fields

    def get_actor(self, obj: ComplaintEvent) -> str:
        hidden = self.context.get("hide_actor_id")
        if obj.actor_id is None:
            return str(_("system"))
        if hidden and obj.actor_id == hidden:
            return str(_("anonymous resident"))
        return str(obj.actor)


class PhotoSerializer(serializers.ModelSerializer):
    url = serializers.SerializerMethodField()

    class Meta:
        model = ComplaintPhoto
        fields = ["id", "stage", "url", "uploaded_at"]
        read_only_fields = fields

    def get_url(self, obj: ComplaintPhoto) -> str:
        return reverse("complaint-photo", args=[obj.pk])


_PHOTO = PhotoSerializer()  # reads no context: one instance renders every photo


class ComplaintDetailSerializer(TemplateFieldsMixin, ComplaintSerializer):
    mask_personal_data = False
    events = serializers.SerializerMethodField()
    photos = serializers.SerializerMethodField()
    actions = serializers.SerializerMethodField()
    reject_reason = serializers.CharField(read_only=True)
    duplicate_of = serializers.SlugRelatedField(slug_field="number", read_only=True, allow_null=True)
    supervision_answered = serializers.BooleanField(read_only=True)

    class Meta(ComplaintSerializer.Meta):
        fields = [*ComplaintSerializer.Meta.fields, "reject_reason", "duplicate_of", "supervision_answered", "events", "photos", "actions"]
        read_only_fields = fields

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, obj: Complaint) -> list:
        context = {**self.context, "hide_actor_id": obj.reporter_id if self._hidden(obj) else None}
        events = EventSerializer(context=context)
        return [events.to_representation(event) for event in self._timeline(obj).events]

    @extend_schema_field(PhotoSerializer(many=True))
    def get_photos(self, obj: Complaint) -> list:
        return [_PHOTO.to_representation(photo) for photo in self._timeline(obj).photos]

    def _timeline(self, obj: Complaint) -> services.Timeline:
        """The new complaint's events and photos when its filing passed them (context "timeline"), else read."""
        timeline = self.context.get("timeline")
        if timeline is not None:
            return timeline
        return services.Timeline(events=obj.events.all(), photos=obj.photos.all())

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_actions(self, obj: Complaint) -> list[str]:
        """The workflow steps the signed-in user may take now."""
        return services.allowed_actions(self.context["request"].user, obj)


class SimilarComplaintSerializer(serializers.ModelSerializer):
    """A complaint as a resident may see it to join it (我也遇到) or follow it: what the problem is and where
    it stands, never who reported it (no name, phone, location or timeline)."""

    status_display = serializers.CharField(source="get_status_display", read_only=True)
    category = serializers.SerializerMethodField()
    compound = BriefSerializer(read_only=True)
    similarity = serializers.SerializerMethodField()
    supported = serializers.SerializerMethodField()

    class Meta:
        model = Complaint
        fields = [
            "id",
            "number",
            "status",
            "status_display",
            "compound",
            "category",
            "description",
            "made_at",
            "resolved_at",
            "closed_at",
            "supporter_count",
            "similarity",
            "supported",
        ]
        read_only_fields = fields

    @extend_schema_field(BriefSerializer)
    def get_category(self, obj: Complaint) -> dict:
        return {"id": obj.category_id, "code": obj.category.code, "name": category_name(obj.category)}

    @extend_schema_field(OpenApiTypes.FLOAT)
    def get_similarity(self, obj: Complaint) -> float | None:
        """How close the description is to the text asked about (0–1); null outside a suggestion."""
        return self.context.get("scores", {}).get(obj.pk)

    def get_supported(self, obj: Complaint) -> bool:
        """Whether the signed-in user has joined it."""
        return obj.pk in self.context.get("supported", ())


class SupportResultSerializer(serializers.Serializer):
    joined = serializers.BooleanField(help_text=_("True when this request added you; false when you had joined already."))
    complaint = SimilarComplaintSerializer()


# --- input -----------------------------------------------------------------------------------------
MAX_PK = 2**31 - 1


class ComplaintCreateSerializer(SharedFieldsMixin, serializers.Serializer):
    # Ids here; `validate` reads the compound (with its managing company and its staff) and the category in one query.
    compound = serializers.IntegerField(min_value=1, max_value=MAX_PK)
    category = serializers.IntegerField(min_value=1, max_value=MAX_PK)
    description = serializers.CharField(max_length=services.DESCRIPTION_MAX)
    location = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    is_anonymous = serializers.BooleanField(required=False, default=False)
    channel = serializers.ChoiceField(
        choices=Complaint.Channel.choices, required=False, default=Complaint.Channel.APP, help_text=_("app, or walkin (community workers).")
    )
    reporter_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    reporter_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list, help_text=_("Up to 6 photos."))

    def validate_channel(self, value: str) -> str:
        if value not in (Complaint.Channel.APP, Complaint.Channel.WALKIN):
            raise serializers.ValidationError(_("Hotline and Open311 complaints arrive through their own imports."))
        return value

    def validate(self, attrs: dict) -> dict:
        targets = selectors.filing_targets(compound_id=attrs["compound"], category_id=attrs["category"])
        missing = serializers.PrimaryKeyRelatedField.default_error_messages["does_not_exist"]
        problems = {}
        if targets.compound is None:
            problems["compound"] = [missing.format(pk_value=attrs["compound"])]
        if targets.category is None:
            problems["category"] = [missing.format(pk_value=attrs["category"])]
        if problems:
            raise serializers.ValidationError(problems)
        # The managing company and its staff came with the compound: complaint_create needs no other read.
        return {**attrs, "compound": targets.compound, "category": targets.category, "context": targets.context}


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=services.NOTE_MAX)


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=services.NOTE_MAX)


class OptionalNoteSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=services.NOTE_MAX, required=False, allow_blank=True, default="")


class ResolveSerializer(NoteSerializer):
    photos = serializers.ListField(child=serializers.FileField(), required=False, default=list)


class ConfirmSerializer(OptionalNoteSerializer):
    rating = serializers.ChoiceField(choices=Complaint.Rating.choices)


class RejectSerializer(OptionalNoteSerializer):
    reason = serializers.ChoiceField(choices=Complaint.RejectReason.choices)
    duplicate_of = serializers.IntegerField(required=False, allow_null=True, default=None)


class ReassignSerializer(OptionalNoteSerializer):
    company = serializers.PrimaryKeyRelatedField(queryset=PropertyCompany.objects.all(), required=False, allow_null=True, default=None)
    community = serializers.PrimaryKeyRelatedField(queryset=Community.objects.all(), required=False, allow_null=True, default=None)

    def validate(self, attrs):
        if (attrs["company"] is None) == (attrs["community"] is None):
            raise serializers.ValidationError({"company": [_("Choose either a company or a community.")]})
        return attrs


class ExtendSerializer(ReasonSerializer):
    days = serializers.IntegerField(min_value=1, max_value=30)


class SimilarQuerySerializer(serializers.Serializer):
    compound = serializers.IntegerField(min_value=1, max_value=MAX_PK)
    category = serializers.IntegerField(min_value=1, max_value=MAX_PK)
    text = serializers.CharField(max_length=services.DESCRIPTION_MAX, help_text=_("The description the resident is about to file."))
