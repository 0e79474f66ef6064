from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, permissions, status, viewsets
from rest_framework.decorators import action
from rest_framework.generics import get_object_or_404  # maps a malformed id to 404, not a 500
from rest_framework.response import Response
from rest_framework.views import APIView

from communities import selectors, services
from communities.api import filters, serializers
from communities.models import Unit
from core.api_views import AccountDeletionMixin


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
