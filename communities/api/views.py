from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view, inline_serializer
from rest_framework import mixins, permissions, status, viewsets
from rest_framework import serializers as drf_serializers
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.generics import get_object_or_404  # maps a malformed id to 404, not a 500
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response
from rest_framework.views import APIView

from communities import selectors, services
from communities.api import filters, serializers
from communities.models import Unit
from core.api import KeysetPagination
from core.api_views import AccountDeletionMixin


class AutocompleteView(APIView):
    """Places to filter lists by, matching what is typed: the portal's searchable compound, community,
    company and town inputs read this instead of carrying every place of the area in the page."""

    @extend_schema(
        parameters=[OpenApiParameter("q", OpenApiTypes.STR, description="Part of the name (or the id).")],
        responses=inline_serializer(
            "AutocompleteChoice",
            {"id": drf_serializers.IntegerField(), "name": drf_serializers.CharField(), "detail": drf_serializers.CharField()},
            many=True,
        ),
    )
    def get(self, request, kind: str):
        if kind not in selectors.AUTOCOMPLETE_KINDS:
            raise NotFound()
        q = request.query_params.get("q", "")
        if len(q) > 100:
            raise ValidationError({"q": ["At most 100 characters."]})
        return Response(selectors.places_matching(request.user, kind=kind, q=q))


class SubdistrictViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.SubdistrictSerializer
    search_fields = ["name"]
    filterset_fields = ["kind"]

    def get_queryset(self):
        return selectors.subdistricts_visible_to(self.request.user).order_by("id")


class CommunityViewSet(viewsets.ReadOnlyModelViewSet):
    serializer_class = serializers.CommunitySerializer
    filterset_class = filters.CommunityFilter
    search_fields = ["name"]

    def get_queryset(self):
        return selectors.communities_visible_to(self.request.user).select_related("subdistrict").order_by("id")


@extend_schema_view(
    list=extend_schema(responses=serializers.CompoundCardSchemaSerializer(many=True)),
    retrieve=extend_schema(responses=serializers.CompoundCardSchemaSerializer),
)
class CompoundViewSet(viewsets.ReadOnlyModelViewSet):
    """Compounds: full cards in the user's scope; residents may search every compound's public card."""

    filterset_class = filters.CompoundFilter
    search_fields = ["name", "aliases", "address"]
    ordering_fields = ["id", "name", "household_count"]

    def get_queryset(self):
        qs = selectors.compounds_for_api(self.request.user).select_related("community__subdistrict").order_by("id")
        return selectors.with_current_company(qs)

    serializer_class = serializers.CompoundSerializer

    def get_serializer_context(self):
        # Cards outside the user's own scope are reduced to their public fields.
        context = super().get_serializer_context()
        context["full_ids"] = set(selectors.compounds_visible_to(self.request.user).values_list("id", flat=True))
        return context


class CompanyViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    search_fields = ["name", "credit_code"]

    def get_queryset(self):
        return selectors.companies_visible_to(self.request.user).order_by("id")

    def get_serializer_class(self):
        return serializers.CompanyCreateSerializer if self.action == "create" else serializers.CompanySerializer

    @extend_schema(request=serializers.CompanyCreateSerializer, responses={201: serializers.CompanySerializer})
    def create(self, request, *args, **kwargs):
        if not (request.user.is_superuser or selectors.has_role(request.user, "official")):
            return Response({"detail": "Only officials register property companies."}, status=status.HTTP_403_FORBIDDEN)
        data = serializers.CompanyCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        company = services.company_create(**data.validated_data)
        return Response(serializers.CompanySerializer(company).data, status=status.HTTP_201_CREATED)


class MyUnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Units the signed-in resident owns (verified)."""

    serializer_class = serializers.UnitSerializer

    def get_queryset(self):
        return selectors.units_of_resident(self.request.user).order_by("id")


class UnitViewSet(viewsets.ReadOnlyModelViewSet):
    """Units of compounds in scope; residents see only their own here."""

    serializer_class = serializers.UnitSerializer
    pagination_class = KeysetPagination  # a district registers hundreds of thousands of units
    filterset_class = filters.UnitFilter
    search_fields = ["building", "room"]

    def get_queryset(self):
        return selectors.units_visible_to(self.request.user).select_related("compound").order_by("id")


class ClaimViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """A resident claims ownership of a unit; officials of the area verify or reject it."""

    filterset_fields = ["status"]

    def get_queryset(self):
        return selectors.claims_visible_to(self.request.user).select_related("unit__compound").order_by("-id")

    def get_serializer_class(self):
        if self.action == "create":
            return serializers.ClaimCreateSerializer
        if self.action == "decide":
            return serializers.ClaimDecideSerializer
        return serializers.ClaimSerializer

    @extend_schema(request=serializers.ClaimCreateSerializer, responses={201: serializers.ClaimSerializer})
    def create(self, request, *args, **kwargs):
        data = serializers.ClaimCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        # Any unit may be claimed (the resident proves ownership offline), but it must exist.
        unit = Unit.objects.filter(pk=data.validated_data["unit"]).first()
        if unit is None:
            return Response({"unit": ["Unknown unit."]}, status=status.HTTP_400_BAD_REQUEST)
        claim = services.ownership_claim_create(user=request.user, unit=unit, owner_name=data.validated_data["owner_name"])
        return Response(serializers.ClaimSerializer(claim).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=serializers.ClaimDecideSerializer, responses={200: serializers.ClaimSerializer})
    @action(detail=True, methods=["post"])
    def decide(self, request, pk=None):
        get_object_or_404(self.get_queryset(), pk=pk)
        data = serializers.ClaimDecideSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = services.ownership_claim_decide(claim_id=int(pk), actor=request.user, **data.validated_data)
        return Response(serializers.ClaimSerializer(claim).data)


class MeView(AccountDeletionMixin, APIView):
    @extend_schema(responses=serializers.MeSerializer)
    def get(self, request):
        return Response(serializers.MeSerializer(request.user).data)


class RegisterView(APIView):
    permission_classes = [permissions.AllowAny]
    throttle_scope = "register"

    @extend_schema(request=serializers.RegisterSerializer, responses={201: serializers.MeSerializer})
    def post(self, request):
        data = serializers.RegisterSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        user = services.resident_register(**data.validated_data)
        return Response(serializers.MeSerializer(user).data, status=status.HTTP_201_CREATED)


class RosterImportView(APIView):
    """Officials import compounds, units and owners from an Excel roster; the answer is the per-row report."""

    parser_classes = [MultiPartParser]

    @extend_schema(request=serializers.RosterImportSerializer, responses={200: serializers.ImportReportSerializer})
    def post(self, request):
        data = serializers.RosterImportSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.roster_import(actor=request.user, file=data.validated_data["file"])
        body = {"counts": report.counts, "rows": [vars(row) for row in report.rows]}
        return Response(serializers.ImportReportSerializer(body).data)


class AccountViewSet(mixins.CreateModelMixin, viewsets.ReadOnlyModelViewSet):
    """Workers' accounts (one row per role): officials manage their area's community workers, town
    officials, mediators and company staff; a company's administrator manages its own staff."""

    filterset_class = filters.AccountFilter
    search_fields = ["user__username", "user__display_name", "user__phone"]

    def get_queryset(self):
        return (
            selectors.accounts_visible_to(self.request.user)
            .select_related("user", "subdistrict", "community", "compound", "company", "district")
            .order_by("id")
        )

    def get_serializer_class(self):
        return serializers.AccountCreateSerializer if self.action == "create" else serializers.AccountSerializer

    @extend_schema(request=serializers.AccountCreateSerializer, responses={201: serializers.AccountSerializer})
    def create(self, request, *args, **kwargs):
        data = serializers.AccountCreateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        assignment = services.account_create(actor=request.user, **data.to_service())
        return Response(serializers.AccountSerializer(assignment).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: serializers.AccountSerializer})
    @action(detail=True, methods=["post"])
    def deactivate(self, request, pk=None):
        get_object_or_404(self.get_queryset(), pk=pk)
        assignment = services.account_deactivate(actor=request.user, assignment_id=int(pk))
        return Response(serializers.AccountSerializer(assignment).data)

    @extend_schema(request=None, responses={200: serializers.AccountSerializer})
    @action(detail=True, methods=["post"])
    def reactivate(self, request, pk=None):
        get_object_or_404(self.get_queryset(), pk=pk)
        assignment = services.account_reactivate(actor=request.user, assignment_id=int(pk))
        return Response(serializers.AccountSerializer(assignment).data)
