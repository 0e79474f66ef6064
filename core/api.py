"""API plumbing shared by every app: pagination and the one place errors become HTTP."""

import copy

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.utils.translation import get_language
from rest_framework import exceptions, serializers, status
from rest_framework.pagination import PageNumberPagination
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from core import errors
from core.uploads import InvalidUpload


class Pagination(PageNumberPagination):
    page_size = 20
    page_size_query_param = "page_size"
    max_page_size = 200


class ChoiceLabelField(serializers.CharField):
    """The label of a choices field's value, as `get_<field>_display()` gives it, in the request's language.

    Django's `get_<field>_display()` rebuilds a dict of every choice, hashing each lazy label (which
    translates it), on every call; this field translates each label once per language and process
    (translation catalogues do not change while a process runs).
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
