"""The portal's counterpart of `core/api.py`: run a service for a view and turn its errors into form errors.

`submit(form, call)` validates a bound form, calls the service with its cleaned data and maps what the
service raises, once for every app:

- `ScopeError` → 404 (never 403, as in the API); `PermissionDenied` → 403;
- any other `DomainError` (`ValidationError`, `WorkflowError`) → an error on the form field it names,
  else a non-field error shown at the top of the form;
- `InvalidUpload` → an error on the file field holding the refused file;
- Django's `ValidationError` (a model's `full_clean`) → its fields' errors.

On failure the view re-renders the same bound form, so every typed value stays, and each error sits
next to its field (`templates/_form_errors.html` adds a summary at the top of the form). Browsers
cannot refill a file input, so when a submit fails every file field that held files is told which of
them passed the checks and must be chosen again.

`attempt(request, call)` is the same mapping for a button with nothing typed (sign for, publish):
errors become a message on the page the user returns to.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext

from core import errors, pagination
from core.uploads import InvalidUpload, validate_image

T = TypeVar("T")


@dataclass
class Outcome(Generic[T]):
    """What a service call gave: `ok` (also the outcome's truth value) and the service's return value."""

    ok: bool = False
    result: T | None = None

    def __bool__(self) -> bool:
        return self.ok


def _add(form: forms.BaseForm, field: str | None, message: str, fields: Mapping[str, str] | None) -> None:
    name = (fields or {}).get(field or "", field)
    form.add_error(name if name in form.fields else None, message)


def _file_field_of(form: forms.BaseForm, filename: str) -> str | None:
    """The file field that holds an upload of this name (the upload error names the file, not the field)."""
    for name in form.files or {}:
        if name in form.fields and any(getattr(f, "name", "") == filename for f in form.files.getlist(name)):
            return name
    return None


def ask_to_reselect(form: forms.BaseForm) -> None:
    """After a failed submit, tell each file field which of its files passed and must be chosen again.

    Files are not kept between requests (the browser cannot refill a file input, and a half-finished
    submit leaves nothing behind); the refused files are already named by their own error.
    """
    for name in form.files or {}:
        if name not in form.fields:
            continue
        refused = " ".join(str(e) for e in form.errors.get(name, []))
        names = [f.name for f in form.files.getlist(name) if getattr(f, "name", "") and f.name not in refused]
        if names:
            form.add_error(
                name,
                _("These files were fine but were not saved: choose them again: %(names)s.") % {"names": "、".join(names)},
            )


@contextmanager
def service_errors(form: forms.BaseForm, *, fields: Mapping[str, str] | None = None) -> Iterator[Outcome]:
    """Run the block; a domain or upload error becomes the form's error instead of leaving the view.

    `fields` renames a service's field to the form's (`{"company": "assignee"}`). The outcome is ok
    when the block finished; otherwise the form carries the errors (and the reselect notices).
    """
    outcome: Outcome = Outcome()
    try:
        yield outcome
    except errors.ScopeError as exc:
        raise Http404(exc.message) from exc
    except errors.PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except errors.DomainError as exc:
        _add(form, exc.field, exc.message, fields)
    except InvalidUpload as exc:
        form.add_error(_file_field_of(form, exc.filename), exc.message)
    except DjangoValidationError as exc:
        if hasattr(exc, "error_dict"):
            for field, messages_ in exc.message_dict.items():
                for message in messages_:
                    _add(form, field, message, fields)
        else:
            for message in exc.messages:
                form.add_error(None, message)
    else:
        outcome.ok = True
    if not outcome.ok:
        ask_to_reselect(form)


def submit(form: forms.BaseForm, call: Callable[[dict[str, Any]], T], *, fields: Mapping[str, str] | None = None) -> Outcome[T]:
    """Validate `form`, then `call(form.cleaned_data)` under `service_errors`; the view redirects when ok,
    else re-renders the same form (typed values and errors in place)."""
    if not form.is_valid():
        ask_to_reselect(form)
        return Outcome()
    with service_errors(form, fields=fields) as outcome:
        outcome.result = call(form.cleaned_data)
    return outcome


def attempt(request: HttpRequest, call: Callable[[], T], *, ok_message: str = "") -> Outcome[T]:
    """A button with nothing typed: run the service; its error becomes a message (scope 404, role 403)."""
    outcome: Outcome[T] = Outcome()
    try:
        outcome.result = call()
    except errors.ScopeError as exc:
        raise Http404(exc.message) from exc
    except errors.PermissionDenied as exc:
        raise DjangoPermissionDenied(exc.message) from exc
    except (errors.DomainError, InvalidUpload) as exc:
        messages.error(request, exc.message)
        return outcome
    except DjangoValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return outcome
    outcome.ok = True
    if ok_message:
        messages.success(request, ok_message)
    return outcome


# --- Long lists ------------------------------------------------------------------------------------


def keyset_page(request: HttpRequest, qs, *, ordering: list[str] | None = None, size: int = 30) -> tuple[pagination.Window, str]:
    """A page of a list that grows with the data, by ?cursor= or ?page= (1–50), as the complaint queue
    pages (core.pagination): no COUNT(*) or OFFSET over the whole list. A stale or bad page shows the
    first one with a note. `ordering` defaults to the queryset's own. Returns the window and the list's
    query string without page and cursor, for templates/_keyset_pager.html."""
    try:
        window = pagination.paginate(qs, ordering=ordering, page=request.GET.get("page"), cursor=request.GET.get("cursor"), size=size)
    except ValueError:  # InvalidCursor included
        messages.warning(request, _("That page is no longer available; showing the first page."))
        window = pagination.paginate(qs, ordering=ordering, size=size)
    return window, query_without(request, "page", "cursor")


def query_without(request: HttpRequest, *names: str) -> str:
    """The request's query string without `names` (the pager's and sort links add their own)."""
    query = request.GET.copy()
    for name in names:
        query.pop(name, None)
    return query.urlencode()


# --- Form fields -------------------------------------------------------------------------------------


class PlaceAutocomplete(forms.Widget):
    """A place typed, not picked from a select (`templates/_autocomplete.html`, static/js/autocomplete.js):
    the page carries only the chosen place, however many compounds the area has, and suggestions come
    from /api/v1/autocomplete/<kind>/. The field still validates what is posted against its own scoped
    queryset (a ModelChoiceField's, or `queryset` given here for a plain id field).
    Pages using it load js/autocomplete.js."""

    def __init__(self, kind: str, *, queryset=None, multiple: bool = False, attrs=None) -> None:
        super().__init__(attrs)
        self.kind = kind
        self.queryset = queryset
        self.multiple = multiple  # several places (a ModelMultipleChoiceField): each chosen one is a ticked box

    def _queryset(self):
        return self.queryset if self.queryset is not None else getattr(getattr(self, "choices", None), "queryset", None)

    def value_from_datadict(self, data, files, name):
        return data.getlist(name) if self.multiple and hasattr(data, "getlist") else super().value_from_datadict(data, files, name)

    def render(self, name, value, attrs=None, renderer=None) -> str:
        from django.template.loader import render_to_string

        queryset = self._queryset()
        values = [v for v in (value if isinstance(value, list | tuple) else [value]) if str(v or "").isdigit()]
        # The chosen places only: a few rows, never the whole list.
        names = dict(queryset.filter(pk__in=values).values_list("pk", "name")) if values and queryset is not None else {}
        label = (self.attrs or {}).get("placeholder", "")
        context = {"name": name, "kind": self.kind, "label": label, "input_id": (attrs or {}).get("id", "")}
        if self.multiple:
            context["chosen"] = [(v, names.get(int(v), "")) for v in values]
            return render_to_string("_autocomplete_many.html", context)
        context.update(value=value, text=names.get(int(values[0]), "") if values else "")
        return render_to_string("_autocomplete.html", context)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class PhotosField(forms.FileField):
    """Several photos from one input, each checked by `core.uploads.validate_image` (every refused file
    is named next to the field); the cleaned value is a list (empty when optional and none chosen)."""

    default_error_messages = {"too_many": gettext_lazy("At most %(n)d photos may be attached.")}

    def __init__(self, *, max_count: int = 6, **kwargs) -> None:
        self.max_count = max_count
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}))
        super().__init__(**kwargs)

    def clean(self, data, initial=None) -> list:
        uploads = [f for f in (data if isinstance(data, list | tuple) else [data]) if f]
        if not uploads:
            if self.required:
                raise DjangoValidationError(self.error_messages["required"], code="required")
            return []
        if len(uploads) > self.max_count:
            raise DjangoValidationError(self.error_messages["too_many"] % {"n": self.max_count}, code="too_many")
        refused = []
        for upload in uploads:
            try:
                validate_image(upload)
            except InvalidUpload as exc:
                refused.append(DjangoValidationError(exc.message, code="invalid_image"))
        if refused:
            raise DjangoValidationError(refused)
        return uploads


def aside(text: object, note: object) -> str:
    """`text` with `note` in parentheses as the language writes them: 0.60（2025年12月—2026年5月） in Chinese,
    0.60 (2025-12 to 2026-05) in English. Templates write the same entry with `blocktranslate context`."""
    return pgettext("parenthesised note", "%(text)s (%(note)s)") % {"text": text, "note": note}
