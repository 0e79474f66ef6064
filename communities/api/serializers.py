from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from communities.credit_code import validate_credit_code
from communities.models import Community, Compound, OwnershipClaim, PropertyCompany, RoleAssignment, Subdistrict, Unit
from communities.services import RowOutcome
from core.models import User


class SubdistrictSerializer(serializers.ModelSerializer):
    class Meta:
        model = Subdistrict
        fields = ["id", "name", "kind", "district"]


class CommunitySerializer(serializers.ModelSerializer):
    subdistrict_name = serializers.CharField(source="subdistrict.name", read_only=True)

    class Meta:
        model = Community
        fields = ["id", "name", "subdistrict", "subdistrict_name"]


class CompanySerializer(serializers.ModelSerializer):
    class Meta:
        model = PropertyCompany
        fields = ["id", "name", "credit_code", "contact_person", "contact_phone", "address"]


class CompanyCreateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100)
    credit_code = serializers.CharField(max_length=18, min_length=1, validators=[validate_credit_code])
    contact_person = serializers.CharField(max_length=50, required=False, allow_blank=True)
    contact_phone = serializers.CharField(max_length=20, required=False, allow_blank=True)
    address = serializers.CharField(max_length=200, required=False, allow_blank=True)


class CompoundPublicSerializer(serializers.ModelSerializer):
    """What any resident may see of any compound."""

    community = serializers.CharField(source="community.name", read_only=True)
    subdistrict = serializers.CharField(source="community.subdistrict.name", read_only=True)
    company = serializers.SerializerMethodField()

    class Meta:
        model = Compound
        fields = ["id", "name", "address", "community", "subdistrict", "company", "published_stars"]

    def get_company(self, obj: Compound) -> dict | None:
        if getattr(obj, "cc_id", None) is None:
            return None
        return {"id": obj.cc_id, "name": obj.cc_name}


class CompoundSerializer(CompoundPublicSerializer):
    """The full card for users whose scope includes the compound."""

    community_id = serializers.IntegerField(read_only=True)
    subdistrict_id = serializers.IntegerField(source="community.subdistrict_id", read_only=True)

    class Meta(CompoundPublicSerializer.Meta):
        fields = [
            *CompoundPublicSerializer.Meta.fields,
            "community_id",
            "subdistrict_id",
            "aliases",
            "household_count",
            "built_year",
            "is_old",
            "has_party_branch",
            "committee_eligible",
            "latitude",
            "longitude",
            "is_self_managed",
        ]

    is_self_managed = serializers.SerializerMethodField()

    def to_representation(self, instance: Compound) -> dict:
        data = super().to_representation(instance)
        full_ids = self.context.get("full_ids")
        if full_ids is not None and instance.pk not in full_ids:
            return {key: data[key] for key in CompoundPublicSerializer.Meta.fields}
        return data

    def get_is_self_managed(self, obj: Compound) -> bool:
        return getattr(obj, "cc_id", None) is None


class CompoundCardSchemaSerializer(CompoundSerializer):
    """A compound card: the public fields always; the full-card fields only for compounds in the user's scope."""

    # Used for the OpenAPI schema only (the views serialize with CompoundSerializer), so that a resident's
    # public cards conform to the documented response.
    def get_fields(self):
        fields = super().get_fields()
        for name in set(CompoundSerializer.Meta.fields) - set(CompoundPublicSerializer.Meta.fields):
            fields[name].read_only, fields[name].required = False, False
        return fields


class UnitSerializer(serializers.ModelSerializer):
    compound_name = serializers.CharField(source="compound.name", read_only=True)

    class Meta:
        model = Unit
        fields = ["id", "compound", "compound_name", "building", "entrance", "room", "kind", "area"]


class RoleSerializer(serializers.ModelSerializer):
    scope = serializers.CharField(source="scope_label", read_only=True)

    class Meta:
        model = RoleAssignment
        fields = ["role", "scope", "district", "subdistrict", "community", "compound", "company", "is_admin"]


class MeSerializer(serializers.ModelSerializer):
    roles = serializers.SerializerMethodField()

    class Meta:
        model = User
        fields = ["id", "username", "display_name", "phone", "email", "roles"]

    def get_roles(self, obj: User) -> list[dict]:
        from communities.selectors import roles_of

        return RoleSerializer(roles_of(obj), many=True).data


class RegisterSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]{3,150}$", max_length=150)
    password = serializers.CharField(write_only=True, min_length=8, max_length=128)
    display_name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    phone = serializers.RegexField(
        r"^1\d{10}$", required=False, allow_blank=True, error_messages={"invalid": _("Enter an 11-digit mainland mobile number.")}
    )
    email = serializers.EmailField(required=False, allow_blank=True)


class ClaimSerializer(serializers.ModelSerializer):
    unit_label = serializers.CharField(source="unit.__str__", read_only=True)
    compound_name = serializers.CharField(source="unit.compound.name", read_only=True)

    class Meta:
        model = OwnershipClaim
        fields = ["id", "unit", "unit_label", "compound_name", "owner_name", "status", "reason", "created_at", "decided_at"]
        read_only_fields = ["status", "reason", "created_at", "decided_at"]


class ClaimCreateSerializer(serializers.Serializer):
    unit = serializers.IntegerField(min_value=1)
    owner_name = serializers.CharField(max_length=100)


class ClaimDecideSerializer(serializers.Serializer):
    approve = serializers.BooleanField()
    reason = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")


class RosterImportSerializer(serializers.Serializer):
    file = serializers.FileField(help_text=_("An .xlsx workbook with the sheets 小区 and/or 房屋 (see docs/onboarding.md)."))


class ImportRowSerializer(serializers.Serializer):
    sheet = serializers.CharField()
    row = serializers.IntegerField()
    label = serializers.CharField()
    outcome = serializers.ChoiceField(choices=RowOutcome.choices)
    detail = serializers.CharField()


class ImportReportSerializer(serializers.Serializer):
    counts = serializers.DictField(child=serializers.IntegerField())
    rows = ImportRowSerializer(many=True)


class AccountSerializer(serializers.ModelSerializer):
    """A worker's account as the officials' and company administrators' lists show it (one role)."""

    username = serializers.CharField(source="user.username", read_only=True)
    display_name = serializers.CharField(source="user.display_name", read_only=True)
    phone = serializers.CharField(source="user.phone", read_only=True)
    user_is_active = serializers.BooleanField(source="user.is_active", read_only=True)
    scope = serializers.CharField(source="scope_label", read_only=True)

    class Meta:
        model = RoleAssignment
        fields = [
            "id",
            "username",
            "display_name",
            "phone",
            "role",
            "scope",
            "subdistrict",
            "community",
            "compound",
            "company",
            "is_admin",
            "title",
            "is_active",
            "user_is_active",
            "created_at",
        ]


class AccountCreateSerializer(serializers.Serializer):
    username = serializers.RegexField(r"^[\w.@+-]{3,150}$", max_length=150)
    password = serializers.CharField(write_only=True, min_length=8, max_length=128)
    role = serializers.ChoiceField(choices=[("official", _("official")), ("mediator", _("mediator")), ("staff", _("staff"))])
    display_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    phone = serializers.RegexField(
        r"^1\d{10}$",
        required=False,
        allow_blank=True,
        default="",
        error_messages={"invalid": _("Enter an 11-digit mainland mobile number.")},
    )
    email = serializers.EmailField(required=False, allow_blank=True, default="")
    title = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    subdistrict = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    community = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    compound = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    company = serializers.IntegerField(min_value=1, required=False, allow_null=True, default=None)
    is_admin = serializers.BooleanField(required=False, default=False)

    def to_service(self) -> dict:
        data = dict(self.validated_data)
        for place in ("subdistrict", "community", "compound", "company"):
            data[f"{place}_id"] = data.pop(place)
        return data
