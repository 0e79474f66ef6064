"""Every transition of SPEC §4.1 and the forbidden ones (403 role / 409 workflow)."""

import datetime as dt
import threading

import pytest
from django.db import connection
from django.utils import timezone

from communities.tests import factories as cf
from complaints import services, tasks
from complaints.models import Complaint, ComplaintEvent
from complaints.tests import factories as f
from core import errors
from core.models import Notification

pytestmark = pytest.mark.django_db
S = Complaint.Status
K = ComplaintEvent.Kind


def kinds(c):
    return list(c.events.order_by("id").values_list("kind", flat=True))


def test_accept_then_resolve_then_confirm_closes_with_rating(world):
    c = f.complaint(world)
    c = services.complaint_accept(complaint=c, actor=world.staff_yifang)
    assert c.status == S.ACCEPTED and c.accepted_at
    c = services.complaint_resolve(complaint=c, actor=world.staff_yifang, note="已清理飞线", photos=[f.image()])
    assert c.status == S.RESOLVED and c.photos.filter(stage="resolution").count() == 1
    c = services.complaint_confirm(complaint=c, actor=world.resident_fulian, rating="satisfied")
    c.refresh_from_db()
    assert (c.status, c.rating) == (S.CLOSED, "satisfied") and c.closed_at and c.rated_at
    assert kinds(c) == [K.CREATE, K.DISPATCH, K.ACCEPT, K.RESOLVE, K.CONFIRM]
    ev = c.events.get(kind=K.ACCEPT)
    assert (ev.actor, ev.from_status, ev.to_status) == (world.staff_yifang, S.DISPATCHED, S.ACCEPTED)
    assert Notification.objects.filter(user=world.resident_fulian, kind="complaint.resolved").exists()


def test_dissatisfied_rating_reopens_with_fresh_deadlines(world):
    c = f.complaint(world, status="resolved")
    c = services.complaint_confirm(complaint=c, actor=world.resident_fulian, rating="dissatisfied", note="还在漏")
    c.refresh_from_db()
    assert (c.status, c.reopen_count, c.rating) == (S.DISPATCHED, 1, "dissatisfied")
    assert c.accepted_at is None and c.resolved_at is None
    assert Notification.objects.filter(user=world.staff_yifang, kind="complaint.reopened").exists()


def test_reopen_action_is_the_same_step(world):
    c = services.complaint_reopen(complaint=f.complaint(world, status="resolved"), actor=world.resident_fulian, note="没修好")
    assert c.status == S.DISPATCHED and c.reopen_count == 1


def test_return_sends_it_back_unassigned_and_tells_the_officials(world):
    c = services.complaint_return(complaint=f.complaint(world), actor=world.staff_yifang, reason="不是本公司的小区")
    c.refresh_from_db()
    assert c.status == S.SUBMITTED and c.assigned_company is None
    assert Notification.objects.filter(user=world.community_fulian, kind="complaint.returned").exists()
    assert Notification.objects.filter(user=world.town_houlong, kind="complaint.returned").exists()


def test_reassign_dispatches_to_the_new_company(world):
    c = f.complaint(world, status="submitted")
    c = services.complaint_reassign(complaint=c, actor=world.town_houlong, company=world.yijiayuan, note="改派")
    c.refresh_from_db()
    assert c.status == S.DISPATCHED and c.assigned_company == world.yijiayuan
    assert Notification.objects.filter(user=world.staff_yijiayuan, kind="complaint.assigned").exists()


def test_reject_as_duplicate_names_the_original(world):
    first = f.complaint(world)
    c = services.complaint_reject(complaint=f.complaint(world), actor=world.community_fulian, reason="duplicate", duplicate_of=first)
    c.refresh_from_db()
    assert (c.status, c.reject_reason, c.duplicate_of) == (S.REJECTED, "duplicate", first)


def test_reject_as_duplicate_without_the_original_is_refused(world):
    with pytest.raises(errors.ValidationError) as exc:
        services.complaint_reject(complaint=f.complaint(world), actor=world.district, reason="duplicate")
    assert exc.value.field == "duplicate_of"


def test_extend_once_with_a_reason(world):
    c = f.complaint(world, status="accepted")
    before = c.resolve_due
    c = services.complaint_extend(complaint=c, actor=world.district, days=3, reason="需更换电梯主板")
    assert c.extended and c.resolve_due > before
    with pytest.raises(errors.WorkflowError, match="一次"):
        services.complaint_extend(complaint=c, actor=world.district, days=3, reason="再延")
    with pytest.raises(errors.ValidationError):
        services.complaint_extend(complaint=f.complaint(world), actor=world.district, days=3, reason=" ")


def test_supervise_and_the_company_answers(world):
    c = services.complaint_supervise(complaint=f.complaint(world), actor=world.town_houlong, note="请尽快处理")
    assert Notification.objects.filter(user=world.staff_yifang, kind="complaint.supervised").exists()
    c = services.complaint_answer_supervision(complaint=c, actor=world.staff_yifang, note="已安排维修")
    assert c.supervision_answered
    with pytest.raises(errors.WorkflowError):
        services.complaint_answer_supervision(complaint=c, actor=world.staff_yifang, note="again")
    assert kinds(c)[-2:] == [K.SUPERVISE, K.ANSWER]


def test_comment_notifies_the_other_side(world):
    c = f.complaint(world)
    services.complaint_comment(complaint=c, actor=world.staff_yifang, note="明天上门")
    assert Notification.objects.filter(user=world.resident_fulian, kind="complaint.comment").exists()
    services.complaint_comment(complaint=c, actor=world.resident_fulian, note="好的")
    assert Notification.objects.filter(user=world.staff_yifang, kind="complaint.comment").exists()


def test_self_managed_compound_is_handled_by_the_community_worker(world):
    worker = cf.UserFactory(username="community_jinxiang")
    cf.role(worker, "official", community=world.jinxiang_community)
    c = f.complaint(world, compound=world.jinxiang, reporter=world.resident_tianma)
    c = services.complaint_accept(complaint=c, actor=worker)
    assert c.status == S.ACCEPTED


@pytest.mark.parametrize(
    ("status", "action", "actor"),
    [
        ("accepted", "accept", "staff_yifang"),
        ("resolved", "accept", "staff_yifang"),
        ("accepted", "return", "staff_yifang"),
        ("dispatched", "resolve", "staff_yifang"),
        ("closed", "resolve", "staff_yifang"),
        ("dispatched", "confirm", "resident_fulian"),
        ("closed", "confirm", "resident_fulian"),
        ("accepted", "reopen", "resident_fulian"),
        ("closed", "reject", "district"),
        ("rejected", "reassign", "district"),
        ("resolved", "extend", "district"),
        ("closed", "supervise", "district"),
        ("rejected", "comment", "resident_fulian"),
    ],
)
def test_step_not_allowed_now_is_a_workflow_error(world, status, action, actor):
    c = f.complaint(world, status=status)
    with pytest.raises(errors.WorkflowError):
        call(action, c, getattr(world, actor), world)


@pytest.mark.parametrize(
    ("action", "actor"),
    [
        ("accept", "resident_fulian"),
        ("accept", "district"),
        ("resolve", "community_fulian"),
        ("reject", "staff_yifang"),
        ("extend", "staff_yifang"),
        ("supervise", "resident_fulian"),
        ("confirm", "staff_yifang"),
        ("reopen", "district"),
    ],
)
def test_role_that_may_not_take_the_step_is_refused(world, action, actor):
    c = f.complaint(world, status="resolved" if action in ("confirm", "reopen") else "dispatched")
    with pytest.raises(errors.PermissionDenied):
        call(action, c, getattr(world, actor), world)


def call(action, c, actor, world):
    kw = {"complaint": c, "actor": actor}
    match action:
        case "accept":
            return services.complaint_accept(**kw)
        case "return":
            return services.complaint_return(**kw, reason="x")
        case "resolve":
            return services.complaint_resolve(**kw, note="x")
        case "confirm":
            return services.complaint_confirm(**kw, rating="satisfied")
        case "reopen":
            return services.complaint_reopen(**kw)
        case "reject":
            return services.complaint_reject(**kw, reason="invalid")
        case "reassign":
            return services.complaint_reassign(**kw, company=world.yifang)
        case "extend":
            return services.complaint_extend(**kw, days=2, reason="x")
        case "supervise":
            return services.complaint_supervise(**kw, note="x")
        case "comment":
            return services.complaint_comment(**kw, note="x")


def test_allowed_actions_match_the_state_and_role(world):
    c = f.complaint(world)
    assert services.allowed_actions(world.staff_yifang, c) == ["accept", "return", "comment"]
    assert services.allowed_actions(world.resident_fulian, c) == ["comment"]
    assert set(services.allowed_actions(world.town_houlong, c)) == {"reject", "reassign", "extend", "supervise", "comment"}
    r = f.complaint(world, status="resolved")
    assert services.allowed_actions(world.resident_fulian, r) == ["confirm", "reopen", "comment"]


def test_wrong_satisfaction_value_is_refused(world):
    c = f.complaint(world, status="resolved")
    with pytest.raises(errors.ValidationError) as exc:
        services.complaint_confirm(complaint=c, actor=world.resident_fulian, rating="great")
    assert exc.value.field == "rating"
    c.refresh_from_db()
    assert c.status == S.RESOLVED


def test_auto_close_after_seven_days_unrated_and_only_once(world):
    c = f.complaint(world, status="resolved")
    assert tasks.auto_close() == 0
    Complaint.objects.filter(pk=c.pk).update(resolved_at=timezone.now() - dt.timedelta(days=7, minutes=1))
    assert tasks.auto_close() == 1
    assert tasks.auto_close() == 0
    c.refresh_from_db()
    assert (c.status, c.rating) == (S.CLOSED, "")
    assert kinds(c)[-1] == K.CLOSE


def test_overdue_task_flags_once_and_notifies_company_and_officials(world):
    c = f.complaint(world)
    assert tasks.refresh_overdue() == 0
    Complaint.objects.filter(pk=c.pk).update(response_due=timezone.now() - dt.timedelta(minutes=1))
    assert tasks.refresh_overdue() == 1
    assert tasks.refresh_overdue() == 0
    c.refresh_from_db()
    assert c.is_overdue
    for user in (world.staff_yifang, world.community_fulian, world.town_houlong):
        assert Notification.objects.filter(user=user, kind="complaint.overdue").count() == 1
    # Signed for at last: the response deadline no longer applies, and the flag clears.
    services.complaint_accept(complaint=c, actor=world.staff_yifang)
    tasks.refresh_overdue()
    c.refresh_from_db()
    assert not c.is_overdue


def test_every_update_bumps_updated_at(world):
    c = f.complaint(world)
    Complaint.objects.filter(pk=c.pk).update(updated_at=timezone.now() - dt.timedelta(days=30))
    services.complaint_accept(complaint=c, actor=world.staff_yifang)
    c.refresh_from_db()
    assert c.updated_at > timezone.now() - dt.timedelta(minutes=1)


@pytest.mark.django_db(transaction=True)
def test_two_staff_signing_for_the_same_order_at_once_exactly_one_succeeds(world):
    colleague = cf.UserFactory(username="staff_yifang_2")
    cf.role(colleague, "staff", company=world.yifang)
    c = f.complaint(world)
    barrier = threading.Barrier(2)
    results: list[str] = []

    def sign(user):
        try:
            mine = Complaint.objects.get(pk=c.pk)
            barrier.wait()
            services.complaint_accept(complaint=mine, actor=user)
            results.append("ok")
        except errors.WorkflowError:
            results.append("conflict")
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(u,)) for u in (world.staff_yifang, colleague)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == ["conflict", "ok"]
    assert ComplaintEvent.objects.filter(complaint=c, kind=K.ACCEPT).count() == 1


def test_periodic_tasks_are_registered_under_their_schedule_names():
    from config.celery import app
    from core.schedules import _DEFAULTS

    app.loader.import_default_modules()
    for name in ("complaints.refresh_overdue", "complaints.auto_close"):
        assert _DEFAULTS[name].task in app.tasks


def test_events_cannot_be_edited_in_the_database(world):
    from django.db import IntegrityError, transaction

    c = f.complaint(world)
    with pytest.raises(IntegrityError, match="append-only"), transaction.atomic():
        ComplaintEvent.objects.filter(complaint=c).update(note="rewritten")
    assert not ComplaintEvent.objects.filter(note="rewritten").exists()


# --- filing: one rule for API and portal (complaint_file) -----------------------------------------------
def test_only_officials_and_superusers_file_walk_ins(world):

    args = {"compound": world.fulian, "category": f.category("elevator"), "description": "电梯停运", "channel": "walkin"}
    with pytest.raises(errors.ValidationError) as exc:
        services.complaint_file(actor=world.resident_fulian, **args)
    assert exc.value.field == "channel" and not Complaint.objects.exists()
    root = cf.UserFactory(username="root", is_superuser=True)
    for actor in (world.community_fulian, root):
        filed = services.complaint_file(actor=actor, **args, reporter_name="张三")
        assert filed.complaint.reporter is None and filed.complaint.reporter_name == "张三"


def test_a_resident_files_as_the_reporter_and_a_key_replays_the_stored_response(world):
    args = {"compound": world.fulian, "category": f.category("elevator"), "description": "电梯停运"}
    filed = services.complaint_file(
        actor=world.resident_fulian,
        **args,
        idempotency_key="k1",
        fingerprint="f",
        render=lambda c, timeline: {"id": c.pk, "events": len(timeline.events)},
    )
    assert filed.complaint.reporter == world.resident_fulian and filed.response == {"id": filed.complaint.pk, "events": 2}
    replay = services.complaint_filing_replay(actor=world.resident_fulian, key="k1", fingerprint="f")
    assert replay.replayed and replay.response == {"id": filed.complaint.pk, "events": 2}
    with pytest.raises(errors.WorkflowError):
        services.complaint_filing_replay(actor=world.resident_fulian, key="k1", fingerprint="other")


def test_a_self_managed_compound_ignores_the_callers_staff(world):
    context = services.FilingContext(company=None, staff=[world.staff_yifang])
    filed = services.complaint_file(
        actor=world.resident_fulian, compound=world.jinxiang, category=f.category("other"), description="路灯坏了", context=context
    )
    assert filed.complaint.assigned_community_id == world.jinxiang.community_id
    assert not Notification.objects.filter(user=world.staff_yifang).exists()


def test_the_filing_context_spares_the_contract_and_staff_reads(world):
    """With the context, complaint_create dispatches to its company without reading the contract or the staff again."""
    from django.test.utils import CaptureQueriesContext

    args = {"compound": world.fulian, "category": f.category("elevator"), "description": "电梯停运", "reporter": world.resident_fulian}
    with CaptureQueriesContext(connection) as plain_queries:
        plain = services.complaint_create(**args)
    context = services.FilingContext(company=world.yifang, staff=[world.staff_yifang])
    with CaptureQueriesContext(connection) as fast_queries:
        fast = services.complaint_create(**args, context=context)
    assert plain.assigned_company_id == fast.assigned_company_id == world.yifang.pk
    assert len(fast_queries) == len(plain_queries) - 2  # the contract in force, the company's staff
    assigned = Notification.objects.filter(kind="complaint.assigned").values_list("user_id", flat=True)
    assert list(assigned) == [world.staff_yifang.pk, world.staff_yifang.pk]
