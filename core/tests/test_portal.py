"""core.portal: the one place the portal turns a service's errors into form errors."""

from io import BytesIO

import pytest
from django import forms
from django.contrib.messages.storage.fallback import FallbackStorage
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.http import Http404
from django.test import RequestFactory
from django.utils.datastructures import MultiValueDict
from PIL import Image

from core import errors, portal
from core.uploads import InvalidUpload


def jpeg(name: str) -> SimpleUploadedFile:
    buf = BytesIO()
    Image.new("RGB", (8, 8), "red").save(buf, "JPEG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/jpeg")


def junk(name: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, b"not an image", content_type="image/jpeg")


class NoteForm(forms.Form):
    note = forms.CharField()
    assignee = forms.CharField(required=False)
    photos = portal.PhotosField(required=False, max_count=3)


def bound(files=None, **data) -> NoteForm:
    return NoteForm({"note": "电梯已修复", **data}, MultiValueDict(files or {}))


def test_a_clean_call_is_ok_and_returns_the_service_result():
    form = bound()
    outcome = portal.submit(form, lambda d: d["note"] * 2)
    assert outcome and outcome.result == "电梯已修复电梯已修复" and not form.errors


def test_an_error_naming_a_field_lands_on_that_field_and_keeps_the_typed_values():
    form = bound()

    def refuse(d):
        raise errors.ValidationError("说明太短", field="note")

    assert not portal.submit(form, refuse)
    assert form.errors == {"note": ["说明太短"]}
    assert form["note"].value() == "电梯已修复"


def test_a_workflow_error_or_an_unknown_field_is_a_non_field_error():
    form = bound()

    def refuse(d):
        raise errors.WorkflowError("该投诉已签收")

    assert not portal.submit(form, refuse)
    assert form.non_field_errors() == ["该投诉已签收"]
    other = bound()
    with portal.service_errors(other) as outcome:
        raise errors.ValidationError("无此字段", field="no_such_field")
    assert not outcome.ok and other.non_field_errors() == ["无此字段"]


def test_fields_renames_a_service_field_to_the_forms():
    form = bound()
    with portal.service_errors(form, fields={"company": "assignee"}):
        raise errors.ValidationError("请选择物业企业", field="company")
    assert form.errors == {"assignee": ["请选择物业企业"]}


def test_scope_is_a_404_and_a_refused_role_a_403():
    with pytest.raises(Http404), portal.service_errors(bound()):
        raise errors.ScopeError("not found")
    with pytest.raises(DjangoPermissionDenied), portal.service_errors(bound()):
        raise errors.PermissionDenied("not yours")


def test_a_django_validation_error_maps_its_fields():
    form = bound()
    with portal.service_errors(form):
        raise DjangoValidationError({"note": ["太长"], "elsewhere": ["冲突"]})
    assert form.errors["note"] == ["太长"] and form.non_field_errors() == ["冲突"]


def test_form_validation_runs_first_and_the_service_is_not_called():
    called = []
    form = NoteForm({"note": ""}, MultiValueDict())
    assert not portal.submit(form, lambda d: called.append(d))
    assert called == [] and "note" in form.errors


def test_a_refused_photo_is_named_on_its_field_and_the_good_ones_are_asked_for_again():
    form = bound({"photos": [jpeg("before.jpg"), junk("scan.jpg"), jpeg("after.jpg")]})
    assert not portal.submit(form, lambda d: None)
    messages = form.errors["photos"]
    assert any("scan.jpg" in m for m in messages)
    again = [m for m in messages if "before.jpg" in m]
    assert len(again) == 1 and "after.jpg" in again[0] and "scan.jpg" not in again[0]


def test_when_another_field_fails_every_chosen_photo_is_asked_for_again():
    form = NoteForm({"note": ""}, MultiValueDict({"photos": [jpeg("a.jpg")]}))
    assert not portal.submit(form, lambda d: None)
    assert any("a.jpg" in m for m in form.errors["photos"])


def test_an_upload_error_from_the_service_lands_on_the_field_holding_the_file():
    form = bound({"photos": [jpeg("a.jpg"), jpeg("b.jpg")]})

    def refuse(d):
        raise InvalidUpload("b.jpg", "b.jpg 超过 40 兆像素")

    assert not portal.submit(form, refuse)
    assert form.errors["photos"][0] == "b.jpg 超过 40 兆像素"
    assert "a.jpg" in form.errors["photos"][1] and "b.jpg" not in form.errors["photos"][1]


def test_photos_field_counts_and_cleans_to_a_list():
    assert portal.submit(bound(), lambda d: d["photos"]).result == []
    form = bound({"photos": [jpeg(f"{i}.jpg") for i in range(4)]})
    assert not portal.submit(form, lambda d: None)
    assert "3" in form.errors["photos"][0]


def test_attempt_turns_a_domain_error_into_a_message():
    request = RequestFactory().post("/")
    request.session = {}
    request._messages = FallbackStorage(request)

    def refuse():
        raise errors.WorkflowError("投票已结束")

    assert not portal.attempt(request, refuse)
    assert portal.attempt(request, lambda: 7, ok_message="好").result == 7
    assert [str(m) for m in request._messages] == ["投票已结束", "好"]
    with pytest.raises(Http404):
        portal.attempt(request, lambda: (_ for _ in ()).throw(errors.ScopeError("x")))


def test_a_note_in_parentheses_is_written_as_each_language_writes_it():
    """portal.aside and the templates' `blocktranslate context "parenthesised note"` share one entry:
    full-width parentheses in Chinese, half-width with a space in English."""
    from django.template import Context, Template
    from django.utils import translation

    from core import portal

    template = Template(
        '{% load i18n %}{% blocktranslate context "parenthesised note" with text=a note=b %}{{ text }} ({{ note }}){% endblocktranslate %}'
    )
    with translation.override("zh-hans"):
        assert portal.aside("0.60", "2025年12月—2026年5月") == "0.60（2025年12月—2026年5月）"
        assert template.render(Context({"a": "0.60", "b": "2025年12月—2026年5月"})) == "0.60（2025年12月—2026年5月）"
    with translation.override("en"):
        assert portal.aside("0.60", "2025-12 to 2026-05") == "0.60 (2025-12 to 2026-05)"
        assert template.render(Context({"a": "0.60", "b": "2025-12 to 2026-05"})) == "0.60 (2025-12 to 2026-05)"
