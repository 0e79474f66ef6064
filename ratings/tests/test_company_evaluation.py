"""Property-company evaluation (物业企业信用评价): scores from the catalogue's figures, confirmation and
adjustment (audited), publication and the 红黑榜, scoping, the desk and the API."""

from datetime import date, timedelta
from decimal import Decimal

import pytest

from communities.tests import factories as f
from core import desk
from ratings import engine, services
from ratings.models import CompanyEvaluation, EvaluationEvent, EvaluationRound, MetricSnapshot
from ratings.tests.factories import complaint, local, response, survey

NOW = local(2026, 11, 20)
OCT = date(2026, 10, 1)


@pytest.fixture
def planted(world):
    """October 2026 in the two managed compounds (锦祥安置小区 is self-managed, so no company of its own).

    一方物业 / 福炼小区 (486 households): 4 complaints — closed 满意 signed in time; closed 不满意 signed in
    time; resolved but signed late; never signed, past its deadline and supervised (督办). Survey 9 of 10
    satisfied. Latest inspection 80 points (September). Rectification: one list accepted on time, one past its
    deadline. 怡家园物业 / 天马华耀城 (1268 households): 2 complaints, both closed 满意 and signed in time; survey
    3 of 4 satisfied; no inspection, no rectification list.
    """
    from inspections.models import ChecklistTemplate, Inspection, RectificationList

    w = world
    due = local(2026, 10, 3, 18)
    on_time = local(2026, 10, 3, 10)
    late = local(2026, 10, 4, 9)
    complaint(w.fulian, local(2026, 10, 2), status="closed", rating="satisfied", response_due=due, accepted_at=on_time)
    complaint(w.fulian, local(2026, 10, 2), status="closed", rating="dissatisfied", response_due=due, accepted_at=on_time)
    complaint(w.fulian, local(2026, 10, 2), status="resolved", response_due=due, accepted_at=late)
    complaint(w.fulian, local(2026, 10, 2), status="dispatched", response_due=due, supervised=True, is_overdue=True)
    for _ in range(2):
        complaint(w.tianma, local(2026, 10, 5), status="closed", rating="satisfied", response_due=due, accepted_at=on_time)
    rnd = survey(w, month=(2026, 10))
    for _ in range(9):
        response(rnd, f.UnitFactory(compound=w.fulian), "satisfied")
    response(rnd, w.resident_fulian_unit, "dissatisfied")
    for _ in range(3):
        response(rnd, f.UnitFactory(compound=w.tianma), "basic")
    response(rnd, w.resident_tianma_unit, "dissatisfied")
    template = ChecklistTemplate.objects.create(name="检查表", version=1)
    inspection = Inspection.objects.create(
        compound=w.fulian,
        template=template,
        inspected_on=date(2026, 9, 10),
        recorded_by=w.town_houlong,
        status="submitted",
        submitted_at=local(2026, 9, 10),
        total_score=80,
        max_total=100,
        percentage=80,
    )
    common = {"inspection": inspection, "compound": w.fulian, "company": w.yifang, "issued_by": w.town_houlong}
    RectificationList.objects.create(
        number="ZG-1",
        deadline=date(2026, 10, 15),
        status="accepted",
        accepted_on=date(2026, 10, 10),
        accepted_at=local(2026, 10, 10),
        **common,
    )
    RectificationList.objects.create(number="ZG-2", deadline=date(2026, 10, 20), **common)
    engine.compute(full=True, now=NOW)
    return w


def _open(w, **kw) -> EvaluationRound:
    return services.evaluation_round_create(
        actor=w.district, district_id=w.district_area.pk, title="2026年10月物业企业信用评价", month_from=OCT, month_to=OCT, **kw
    )


def _result(evaluation_round, company) -> CompanyEvaluation:
    return CompanyEvaluation.objects.get(round=evaluation_round, company=company)


def test_snapshot_counts_supervised_complaints(planted):
    row = MetricSnapshot.objects.get(level="compound", area_id=planted.fulian.pk, month=OCT)
    assert (row.complaints, row.supervised, row.response_due, row.responded_on_time) == (4, 1, 4, 2)


def test_scores_are_the_weighted_points_of_the_catalogue_figures(planted):
    w = planted
    evaluation_round = _open(w)  # default weights: 15 10 10 10 20 15 10 10; penalties 10 and 20
    yifang = _result(evaluation_round, w.yifang)
    assert (yifang.compound_count, yifang.households) == (1, 486)
    assert yifang.complaint_ratio == Decimal("0.823045")  # 4 ÷ 486 × 100
    assert (yifang.response_rate, yifang.resolution_rate) == (Decimal("50.000000"), Decimal("75.000000"))
    assert (yifang.ticket_satisfaction_rate, yifang.satisfaction_rate) == (Decimal("50.000000"), Decimal("90.000000"))
    assert (yifang.inspection_score, yifang.rectification_rate, yifang.supervised) == (Decimal("80.000000"), Decimal("50.000000"), 1)
    # Points: complaint ratio 100 − 10 × 0.823045 = 91.76955; supervision 100 − 20 × 1 per compound = 80.
    # (15·91.76955 + 10·50 + 10·75 + 10·50 + 20·90 + 15·80 + 10·50 + 10·80) ÷ 100 = 7426.54325 ÷ 100
    assert yifang.computed_score == Decimal("74.2654")
    yijiayuan = _result(evaluation_round, w.yijiayuan)
    assert yijiayuan.complaint_ratio == Decimal("0.157729")  # 2 ÷ 1268 × 100
    assert (yijiayuan.inspection_score, yijiayuan.rectification_rate) == (None, None)
    # No inspection and no list due: their weights (15 + 10) are left out.
    # (15·(100 − 1.57729) + 10·100 + 10·100 + 10·100 + 20·75 + 10·100) ÷ 75 = 6976.34065 ÷ 75
    assert yijiayuan.computed_score == Decimal("93.0179")
    assert CompanyEvaluation.objects.filter(round=evaluation_round).count() == 2  # the self-managed compound has no company
    assert set(yifang.compounds.values_list("pk", flat=True)) == {w.fulian.pk}


def test_weights_set_by_the_round_change_the_score(planted):
    w = planted
    weights = {"w_complaint_ratio": 0, "w_response": 50, "w_resolution": 50, "w_ticket_satisfaction": 0, "w_satisfaction": 0}
    weights.update(w_inspection=0, w_rectification=0, w_supervision=0)
    evaluation_round = _open(w, weights=weights)
    assert _result(evaluation_round, w.yifang).computed_score == Decimal("62.5000")  # (50·50 + 50·75) ÷ 100


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"weights": {"w_response": 30}}, "weights"),  # 120 in all
        ({"weights": {"w_response": -10, "w_resolution": 30}}, "weights"),
        ({"weights": {"w_bogus": 1}}, "w_bogus"),
        ({"board_size": 0}, "board_size"),
    ],
)
def test_bad_settings_are_refused_and_nothing_is_written(planted, kwargs, field):
    from core.errors import ValidationError

    with pytest.raises(ValidationError) as exc:
        _open(planted, **kwargs)
    assert exc.value.field == field
    assert not EvaluationRound.objects.exists()


def test_only_finished_months_are_evaluated(planted):
    from django.utils import timezone

    from core.errors import ValidationError

    this_month = timezone.localdate().replace(day=1)
    with pytest.raises(ValidationError) as exc:
        services.evaluation_round_create(
            actor=planted.district, district_id=planted.district_area.pk, title="x", month_from=OCT, month_to=this_month
        )
    assert exc.value.field == "month_to"


def test_only_district_officials_open_rounds(planted):
    from core.errors import PermissionDenied, ScopeError

    with pytest.raises(PermissionDenied):
        services.evaluation_round_create(
            actor=planted.town_houlong, district_id=planted.district_area.pk, title="x", month_from=OCT, month_to=OCT
        )
    with pytest.raises(ScopeError):
        services.evaluation_round_create(
            actor=planted.staff_yifang, district_id=planted.district_area.pk, title="x", month_from=OCT, month_to=OCT
        )


def test_adjusting_needs_a_reason_and_is_audited(planted, client):
    w = planted
    evaluation_round = _open(w)
    yifang = _result(evaluation_round, w.yifang)
    client.force_login(w.district)
    url = f"/ratings/companies/rounds/{evaluation_round.pk}/confirm/"
    client.post(url, {"evaluation": yifang.pk, "score": "70"})
    yifang.refresh_from_db()
    assert yifang.score is None  # refused: no reason
    assert not EvaluationEvent.objects.filter(kind="adjusted").exists()
    client.post(url, {"evaluation": yifang.pk, "score": "70", "reason": "消防通道长期占用，约谈后仍未整改"})
    yifang.refresh_from_db()
    assert (yifang.score, yifang.reason, yifang.adjusted) == (Decimal("70.0000"), "消防通道长期占用，约谈后仍未整改", True)
    event = EvaluationEvent.objects.get(kind="adjusted")
    assert (event.company_id, event.actor_id, event.score_from, event.score_to) == (
        w.yifang.pk,
        w.district.pk,
        Decimal("74.2654"),
        Decimal("70"),
    )
    assert event.note == "消防通道长期占用，约谈后仍未整改"
    # The audit page lists the event for district officials.
    body = client.get("/audit/?source=ratings.evaluationevent").content.decode()
    assert "2026年10月物业企业信用评价：一方物业" in body and "消防通道长期占用，约谈后仍未整改" in body
    # Confirming at the computed score needs no reason.
    yijiayuan = _result(evaluation_round, w.yijiayuan)
    services.evaluation_confirm(actor=w.district, evaluation_id=yijiayuan.pk)
    yijiayuan.refresh_from_db()
    assert (yijiayuan.score, yijiayuan.reason) == (Decimal("93.0179"), "")
    # The database keeps the rule too.
    from django.db import IntegrityError, transaction

    with pytest.raises(IntegrityError), transaction.atomic():
        CompanyEvaluation.objects.filter(pk=yijiayuan.pk).update(score=Decimal(50), reason="")
    # And the trail is append-only.
    with pytest.raises(IntegrityError), transaction.atomic():
        EvaluationEvent.objects.filter(pk=event.pk).update(note="")


def test_town_official_may_not_adjust(planted):
    from core.errors import PermissionDenied

    evaluation_round = _open(planted)
    with pytest.raises(PermissionDenied):
        services.evaluation_confirm(
            actor=planted.town_houlong, evaluation_id=_result(evaluation_round, planted.yifang).pk, score=Decimal(1), reason="x"
        )


def _publish(w, evaluation_round, board_size=None):
    services.evaluation_confirm(
        actor=w.district, evaluation_id=_result(evaluation_round, w.yifang).pk, score=Decimal(70), reason="督办未按期回复"
    )
    services.evaluation_confirm_all(actor=w.district, round_id=evaluation_round.pk)
    services.evaluation_round_confirm(actor=w.district, round_id=evaluation_round.pk)
    return services.evaluation_round_publish(actor=w.district, round_id=evaluation_round.pk)


def test_the_round_moves_draft_confirmed_published_in_order(planted):
    from core.errors import WorkflowError

    w = planted
    evaluation_round = _open(w)
    with pytest.raises(WorkflowError):
        services.evaluation_round_confirm(actor=w.district, round_id=evaluation_round.pk)  # scores not confirmed
    with pytest.raises(WorkflowError):
        services.evaluation_round_publish(actor=w.district, round_id=evaluation_round.pk)  # still a draft
    _publish(w, evaluation_round)
    evaluation_round.refresh_from_db()
    assert evaluation_round.status == "published" and evaluation_round.published_by == w.district
    with pytest.raises(WorkflowError):
        services.evaluation_round_compute(actor=w.district, round_id=evaluation_round.pk)
    with pytest.raises(WorkflowError):
        services.evaluation_confirm(actor=w.district, evaluation_id=_result(evaluation_round, w.yifang).pk)
    kinds = list(EvaluationEvent.objects.filter(round=evaluation_round).order_by("id").values_list("kind", flat=True))
    assert kinds == ["created", "computed", "adjusted", "confirmed", "round_confirmed", "published"]


def test_publication_ranks_forms_the_board_and_shows_staff_their_own(planted, client):
    w = planted
    evaluation_round = _open(w)
    own = f"/ratings/companies/{w.yifang.pk}/"
    client.force_login(w.staff_yifang)
    assert client.get(own).status_code == 404  # nothing published yet
    _publish(w, evaluation_round)
    yifang, yijiayuan = _result(evaluation_round, w.yifang), _result(evaluation_round, w.yijiayuan)
    assert (yijiayuan.rank, yijiayuan.board) == (1, "red")
    assert (yifang.rank, yifang.board) == (2, "black")  # two companies: one on each list
    body = client.get(own).content.decode()
    assert 'id="rank">2 / 2<' in body and "70.00" in body and "督办未按期回复" in body
    assert "怡家园物业" not in body
    assert client.get(f"/ratings/companies/{w.yijiayuan.pk}/").status_code == 404
    assert client.get("/ratings/companies/").url == own  # staff land on their own company
    assert client.get("/ratings/companies/boards/").status_code == 404
    # The 红黑榜 history lists the round with the reasons.
    client.force_login(w.district)
    board = client.get("/ratings/companies/boards/").content.decode()
    assert evaluation_round.title in board
    assert board.index("怡家园物业") < board.index("一方物业")
    # Reasons: the inputs that lifted a company furthest above (or pulled it below) the round's average,
    # weight × (points − mean points): response and ticket satisfaction, 10 × 25 each, on both sides.
    assert "响应率 100.00%；工单满意率 100.00%" in board
    assert "响应率 50.00%；工单满意率 50.00%；调整理由：督办未按期回复" in board


def test_board_history_keeps_every_published_round(planted, client):
    w = planted
    first = _open(w)
    _publish(w, first)
    second = services.evaluation_round_create(
        actor=w.district, district_id=w.district_area.pk, title="第二轮评价", month_from=date(2026, 9, 1), month_to=OCT
    )
    _publish(w, second)
    client.force_login(w.district)
    board = client.get("/ratings/companies/boards/").content.decode()
    assert first.title in board and "第二轮评价" in board
    # The league table shows each company's trend over the published rounds.
    league = client.get(f"/ratings/companies/?round={second.pk}").content.decode()
    assert league.count("70.00 (2)") == 2  # 一方物业: 70 in both rounds, second both times


def test_league_table_is_sortable_and_scoped_to_the_officials_area(planted, client):
    w = planted
    evaluation_round = _open(w)
    client.force_login(w.district)
    url = f"/ratings/companies/?round={evaluation_round.pk}"
    body = client.get(url).content.decode()
    assert body.index("怡家园物业") < body.index("一方物业")  # by rank: 93.02 before 74.27
    body = client.get(url + "&sort=inspection_score").content.decode()
    assert body.index("一方物业") < body.index("怡家园物业")  # 80 points first; no inspection last
    body = client.get(url + "&sort=company&dir=desc").content.decode()
    assert 'data-company="' in body
    # A town official sees the companies working in the town only.
    client.force_login(w.town_houlong)
    body = client.get(url).content.decode()
    assert "一方物业" in body and "怡家园物业" not in body
    client.force_login(w.town_jieshan)
    body = client.get(url).content.decode()
    assert "怡家园物业" in body and "一方物业" not in body
    assert client.get(f"/ratings/companies/{w.yifang.pk}/?round={evaluation_round.pk}").status_code == 404
    # Outsiders.
    for user in (w.resident_fulian, w.mediator_houlong, w.committee_fulian):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(w.town_houlong)
    assert client.get("/ratings/companies/?round=999999").status_code == 404


def test_desk_lists_rounds_waiting_for_the_district_official(planted):
    w = planted
    evaluation_round = _open(w)

    def counts(user):
        return {t.key: t.count for t in desk.tasks_for(user, "official") if t.key.startswith("ratings.")}

    assert counts(w.district) == {"ratings.evaluations_to_confirm": 1, "ratings.evaluations_to_publish": 0}
    assert counts(w.town_houlong) == {}
    services.evaluation_confirm_all(actor=w.district, round_id=evaluation_round.pk)
    services.evaluation_round_confirm(actor=w.district, round_id=evaluation_round.pk)
    assert counts(w.district) == {"ratings.evaluations_to_confirm": 0, "ratings.evaluations_to_publish": 1}
    services.evaluation_round_publish(actor=w.district, round_id=evaluation_round.pk)
    assert counts(w.district) == {"ratings.evaluations_to_confirm": 0, "ratings.evaluations_to_publish": 0}


def test_api_lists_published_rounds_scoped(planted, api):
    w = planted
    evaluation_round = _open(w)
    assert api.as_user(w.district).get("/api/v1/evaluations/").json()["count"] == 0  # drafts are not listed
    _publish(w, evaluation_round)
    body = api.as_user(w.district).get("/api/v1/evaluations/").json()
    assert body["count"] == 1
    results = body["results"][0]["results"]
    assert [(r["company"]["name"], r["rank"], r["board"]) for r in results] == [("怡家园物业", 1, "red"), ("一方物业", 2, "black")]
    yifang = results[1]
    assert (yifang["score"], yifang["computed_score"], yifang["reason"]) == ("70.0000", "74.2654", "督办未按期回复")
    inputs = {i["key"]: i for i in yifang["inputs"]}
    assert inputs["complaint_ratio"]["value"] == "0.823045" and inputs["complaint_ratio"]["points"] == "91.7696"
    assert inputs["supervised"]["value"] == "1.000000" and inputs["supervised"]["points"] == "80.0000"
    assert inputs["response_rate"]["period"] == "2026年10月"
    # Staff: their own company only; a town official: the companies of the town.
    staff = api.as_user(w.staff_yifang).get("/api/v1/evaluations/").json()["results"][0]["results"]
    assert [r["company"]["name"] for r in staff] == ["一方物业"]
    town = api.as_user(w.town_jieshan).get(f"/api/v1/evaluations/{evaluation_round.pk}/").json()["results"]
    assert [r["company"]["name"] for r in town] == ["怡家园物业"]
    for user in (w.resident_fulian, w.mediator_houlong):
        assert api.as_user(user).get("/api/v1/evaluations/").json()["count"] == 0
        assert api.as_user(user).get(f"/api/v1/evaluations/{evaluation_round.pk}/").status_code == 404


def test_recompute_replaces_the_results_of_a_draft(planted):
    w = planted
    evaluation_round = _open(w)
    complaint(w.tianma, local(2026, 10, 9), status="dispatched", response_due=local(2026, 10, 9, 18), supervised=True)
    engine.compute(full=True, now=NOW + timedelta(minutes=1))
    services.evaluation_round_compute(actor=w.district, round_id=evaluation_round.pk)
    assert _result(evaluation_round, w.yijiayuan).supervised == 1
    assert CompanyEvaluation.objects.filter(round=evaluation_round).count() == 2


def test_api_list_reads_a_fixed_number_of_queries(planted, api, django_assert_max_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    w = planted
    _publish(w, _open(w))
    client = api.as_user(w.district)
    with CaptureQueriesContext(connection) as one:
        assert client.get("/api/v1/evaluations/").status_code == 200
    second = services.evaluation_round_create(
        actor=w.district, district_id=w.district_area.pk, title="第二轮评价", month_from=date(2026, 9, 1), month_to=OCT
    )
    _publish(w, second)
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert client.get("/api/v1/evaluations/").json()["count"] == 2


def test_publication_tells_each_companys_staff_their_rank_and_score(planted, client):
    from core.models import Notification

    w = planted
    evaluation_round = _open(w)
    services.evaluation_confirm_all(actor=w.district, round_id=evaluation_round.pk)
    services.evaluation_round_confirm(actor=w.district, round_id=evaluation_round.pk)
    assert not Notification.objects.filter(kind="evaluation.published").exists()  # nothing before publication
    services.evaluation_round_publish(actor=w.district, round_id=evaluation_round.pk)
    sent = {n.user.username: n for n in Notification.objects.filter(kind="evaluation.published").select_related("user")}
    assert set(sent) == {"staff_yifang", "staff_yijiayuan"}  # each company's staff, not the officials
    assert sent["staff_yifang"].title == "2026年10月物业企业信用评价已公布：贵企业排名第2位（共2家），得分74.27，列入黑榜"
    assert sent["staff_yijiayuan"].title == "2026年10月物业企业信用评价已公布：贵企业排名第1位（共2家），得分93.02，列入红榜"
    # The link opens the company's own breakdown of that round.
    client.force_login(w.staff_yifang)
    url = sent["staff_yifang"].url
    assert url == f"/ratings/companies/{w.yifang.pk}/?round={evaluation_round.pk}"
    assert 'id="rank">2 / 2<' in client.get(url).content.decode()


def test_league_table_exports_to_excel_as_the_official_sees_it(planted, client):
    from io import BytesIO

    from openpyxl import load_workbook

    w = planted
    evaluation_round = _open(w)
    client.force_login(w.district)
    page = client.get(f"/ratings/companies/?round={evaluation_round.pk}").content.decode()
    assert f'id="league-export" href="?round={evaluation_round.pk}&amp;export=xlsx"' in page
    response = client.get(f"/ratings/companies/?round={evaluation_round.pk}&export=xlsx")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    header = rows[0]
    assert header[:7] == ("排名", "物业企业", "红黑榜", "小区", "得分", "计算得分", "调整理由")
    assert "响应率" in header and "响应率（折算分）" in header
    assert sheet.freeze_panes == "A2"
    first, second = rows[1], rows[2]
    # By rank, numbers as numbers: the score to two places, a rate as a fraction formatted as a percent.
    assert first[:6] == (1, "怡家园物业", None, 1, 93.02, 93.02) and second[:6] == (2, "一方物业", None, 1, 74.27, 74.27)
    response_rate = header.index("响应率")
    assert second[response_rate] == 0.5 and second[response_rate + 1] == 50.0
    assert sheet.cell(row=3, column=response_rate + 1).number_format == "0.00%"
    notes = [r[0] for r in rows[3:] if r[0]]
    assert "2026年10月物业企业信用评价（草稿）" in notes and "尚未公布：排名和得分仍可能变动。" in notes
    assert "统计期：2026年10月" in notes and any(n.startswith("权重：月均投诉比 15.00 · ") for n in notes)

    # The page's sort order, and the town official's area only.
    def sheet_rows(query: str) -> list[tuple]:
        content = client.get(f"/ratings/companies/?round={evaluation_round.pk}{query}&export=xlsx").content
        return list(load_workbook(BytesIO(content)).active.iter_rows(values_only=True))

    rows = sheet_rows("&sort=company&dir=asc")
    assert [r[1] for r in rows[1:3]] == sorted(["怡家园物业", "一方物业"])
    client.force_login(w.town_houlong)
    rows = sheet_rows("")
    companies = [r[1] for r in rows[1:] if r[0] is not None and isinstance(r[0], int)]
    assert companies == ["一方物业"]
