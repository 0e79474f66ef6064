"""API plumbing shared by every app: pagination and the one place errors become HTTP."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import get_language
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import BasePagination, PageNumberPagination
from rest_framework.response import Response
from rest_framework.utils.urls import remove_query_param, replace_query_param
from rest_framework.views import exception_handler as drf_exception_handler

from core import errors, pagination
from core.uploads import InvalidUpload


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200


class KeysetPagination(BasePagination):
    """Pages of long lists by cursor (core.pagination): the same cost on page 1 and page 20,000.

    `?page=N` still answers for N ≤ 50 (an OFFSET through the ordering's index); `next` and
    `previous` are cursor links, valid at any depth. `count` is exact up to 1,000 rows and the
    planner's estimate above (`count_exact` says which): a `COUNT(*)` over millions of rows would
    cost more than the page itself.
    """

    page_size = 20
    max_page_size = 200
    template = None

    def paginate_queryset(self, queryset, request, view=None):
        self.request = request
        try:
            size = int(request.query_params.get("page_size") or self.page_size)
        except ValueError:
            raise exceptions.ValidationError({"page_size": ["A whole number."]}) from None
        size = max(1, min(size, self.max_page_size))
        try:
            self.window = pagination.paginate(
                queryset, page=request.query_params.get("page"), cursor=request.query_params.get("cursor"), size=size
            )
        except pagination.InvalidCursor as exc:
            raise exceptions.ValidationError({"cursor": [str(exc)]}) from None
        except ValueError as exc:
            raise exceptions.ValidationError({"page": [str(exc)]}) from None
        return self.window.rows

    def _link(self, cursor: str | None) -> str | None:
        if cursor is None:
            return None
        url = self.request.build_absolute_uri()
        return replace_query_param(remove_query_param(url, "page"), "cursor", cursor)

    def get_paginated_response(self, data):
        w = self.window
        return Response(
            {
                "count": w.count,
                "count_exact": w.count_exact,
                "next": self._link(w.next_cursor),
                "previous": self._link(w.previous_cursor),
                "results": data,
            }
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        return {
            "type": "object",
            "required": ["count", "count_exact", "results"],
            "properties": {
                "count": {"type": "integer", "example": 123, "description": "Exact up to 1,000 rows, else the planner's estimate."},
                "count_exact": {"type": "boolean"},
                "next": {
                    "type": "string",
                    "nullable": True,
                    "format": "uri",
                    "example": "https://linli.example/api/v1/complaints/?cursor=eyJv…",
                },
                "previous": {"type": "string", "nullable": True, "format": "uri"},
                "results": schema,
            },
        }

    def get_schema_operation_parameters(self, view) -> list[dict]:
        return [
            {
                "name": "cursor",
                "required": False,
                "in": "query",
                "description": "The `next` or `previous` link's cursor: a page at any depth, in constant time.",
                "schema": {"type": "string"},
            },
            {
                "name": "page",
                "required": False,
                "in": "query",
                "description": f"A page number, 1 to {pagination.MAX_NUMBERED_PAGE} only; follow `next` beyond.",
                "schema": {"type": "integer", "minimum": 1, "maximum": pagination.MAX_NUMBERED_PAGE},
            },
            {
                "name": "page_size",
                "required": False,
                "in": "query",
                "description": f"Rows per page, at most {self.max_page_size}.",
                "schema": {"type": "integer", "minimum": 1, "maximum": self.max_page_size},
            },
        ]


class ChoiceLabelField(serializers.CharField):
    """The label of a choices field's value, as `get_<field>_display()` gives it, in the request's language.

    Reading `source="get_status_display"` costs DRF an `inspect.signature` of the bound method on every
    call, and Django's `get_<field>_display()` rebuilds a dict of every choice, hashing each lazy label
    (which translates it). This field reads the plain value and translates each label once per language
    and process (catalogues do not change while a process runs). On the filing path the two cost 8.5 % of
    the API view's samples (docs/ARCHITECTURE.md, "What each fast path is worth").
    """

    def __init__(self, *, source: str, choices, **kwargs) -> None:
        super().__init__(source=source, read_only=True, **kwargs)
        self.labels = dict(choices)
        self._translated: dict[str | None, dict] = {}

    def to_representation(self, value) -> str:
        language = get_language()
        labels = self._translated.get(language)
        if labels is None:
            labels = self._translated[language] = {key: str(label) for key, label in self.labels.items()}
        return labels.get(value, value)


class SharedFieldsMixin:
    """Bind shallow copies of the declared fields instead of DRF's deep copies.

    For every serializer instance DRF deep-copies each declared field, which re-runs the field's
    `__init__` (its validators, choices, child field); on a small input serializer that is most of
    `is_valid()`. A shallow copy still gives each instance its own bound field (name, parent,
    source) and shares only what validation never changes (validators, choices, error messages,
    a list field's child). Only for serializers whose declared fields are plain fields: a nested
    serializer, or a field that keeps state between calls, needs DRF's deep copy.
    """

    def get_fields(self) -> dict:
        return {name: copy.copy(field) for name, field in self._declared_fields.items()}


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = "This step is not allowed now."
    default_code = "conflict"


class PayloadTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The upload is too large."
    default_code = "too_large"


def _to_drf(exc: Exception) -> Exception:
    if isinstance(exc, InvalidUpload):
        detail = {"photos": [exc.message], "file": exc.filename}
        if exc.status_code == 413:
            return PayloadTooLarge(detail)
        return exceptions.ValidationError(detail)
    if isinstance(exc, errors.WorkflowError):
        return Conflict(exc.message)
    if isinstance(exc, errors.ScopeError):
        return exceptions.NotFound(exc.message)
    if isinstance(exc, errors.PermissionDenied):
        return exceptions.PermissionDenied(exc.message)
    if isinstance(exc, errors.ValidationError):
        if exc.field:
            return exceptions.ValidationError({exc.field: [exc.message]})
        return exceptions.ValidationError({"non_field_errors": [exc.message]})
    if isinstance(exc, DjangoValidationError):
        if hasattr(exc, "message_dict"):
            return exceptions.ValidationError(exc.message_dict)
        return exceptions.ValidationError({"non_field_errors": exc.messages})
    return exc


def exception_handler(exc: Exception, context: dict) -> Response | None:
    """Map domain errors once: WorkflowError 409, ScopeError 404, ValidationError 400, uploads 400/413."""
    exc = _to_drf(exc)
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    return drf_exception_handler(exc, context)


TIME_PATTERN = r"^\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?$"


def schema_times_without_offset(result: dict, generator, request, public) -> dict:
    """drf-spectacular postprocessing hook: describe TimeFields by a pattern, not `format: time`.

    DRF writes times of day as local "HH:MM:SS" (Asia/Shanghai, no offset); OpenAPI's `format: time`
    is RFC 3339's full-time, which requires an offset, so validators reject every real value.
    """

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("type") == "string" and node.get("format") == "time":
                node.pop("format")
                node["pattern"] = TIME_PATTERN
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(result)
    return result
