"""Demo summonses (约谈) of 泉港区 companies, held last month: one followed to closure, one with an answer
waiting for review and a commitment past its deadline (on the officials' desk), one just recorded, and one
of a town's responsible office. Written through the services, so the notifications and figures are real.
Deterministic (dates relative to today) and safe to run twice: a second run finds them and stops.
"""

from __future__ import annotations

import io
from datetime import date, timedelta

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from communities.models import Compound, ManagementContract, Subdistrict
from complaints.models import Complaint
from core.models import User
from inspections.models import RectificationList
from summons import services
from summons.models import Summons


def _photo(name: str, color: str) -> SimpleUploadedFile:
    buf = io.BytesIO()
    Image.new("RGB", (64, 48), color).save(buf, "PNG")
    return SimpleUploadedFile(name, buf.getvalue(), content_type="image/png")


def _company_of(compound: Compound):
    contract = ManagementContract.objects.in_force().filter(compound=compound).select_related("company").first()
    return contract.company if contract else None


def _staff(company) -> User | None:
    return services.answerers(Summons(subject=Summons.Subject.COMPANY, company=company)).order_by("id").first()


def seed(stdout) -> None:
    if Summons.objects.exists():
        stdout.write("  summons demo already present")
        return
    district = User.objects.filter(username="district").first()
    if district is None:
        stdout.write("  no demo officials; seed communities first")
        return
    today = timezone.localdate()
    last_month = (today.replace(day=1) - timedelta(days=1)).replace(day=1)

    def day(n: int) -> date:
        return last_month + timedelta(days=n - 1)

    plans = [
        # compound, held on, reason, commitments (text, days after the summons), outcome
        (
            "福炼小区",
            day(6),
            "福炼小区电动自行车充电、消防通道占用投诉集中，投诉比居后龙镇前列；整改清单逾期未验收。",
            [("两周内在3号、5号楼旁增设电动自行车集中充电桩", 14), ("清理消防通道占用车辆，设置禁停标识", 7)],
            "closed",
        ),
        (
            "天马华耀城",
            day(12),
            "天马华耀城电梯故障、污水管堵塞投诉反复，12345工单不满意率偏高。",
            [("电梯维保单位每日巡检并公示维保记录", 10), ("更换2号楼主污水管", 20), ("每月召开一次业主恳谈会", 40)],
            "following",
        ),
    ]
    made = 0
    for name, held_on, reason, commitments, outcome in plans:
        compound = Compound.objects.select_related("community__subdistrict").filter(name=name).first()
        company = _company_of(compound) if compound else None
        if company is None:
            continue
        complaints = list(
            Complaint.objects.filter(compound=compound, made_at__date__lt=held_on)
            .exclude(status="rejected")
            .order_by("-made_at")[:3]
            .values_list("pk", flat=True)
        )
        lists = list(RectificationList.objects.filter(company=company, compound=compound).values_list("pk", flat=True)[:2])
        summons = services.summons_record(
            actor=district,
            subject=Summons.Subject.COMPANY,
            company_id=company.pk,
            subdistrict_id=compound.community.subdistrict_id,
            held_on=held_on,
            venue="泉港区住建局三楼会议室",
            reason=reason,
            attendees=f"区住建局物业科负责人\n{compound.community.subdistrict.name}分管领导\n{company.name}总经理、项目经理",
            commitments=[services.CommitmentInput(text, held_on + timedelta(days=d)) for text, d in commitments],
            complaint_ids=complaints,
            rectification_list_ids=lists,
            figure_keys=["complaint_ratio", "complaints", "ticket_satisfaction_rate", "resolution_rate"],
            figure_month=(held_on.replace(day=1) - timedelta(days=1)).replace(day=1),
        )
        staff = _staff(company)
        steps = list(summons.commitments.order_by("order"))
        if staff is not None and outcome == "closed":
            for n, c in enumerate(steps, start=1):
                services.commitment_answer(
                    actor=staff, commitment_id=c.pk, answer="已按承诺完成，附整改后照片。", files=[_photo(f"after-{n}.png", "green")]
                )
                services.commitment_review(actor=district, commitment_id=c.pk, decision="accept")
        elif staff is not None:
            # The first is answered and waits for review; the second is past its deadline; the third not yet due.
            services.commitment_answer(
                actor=staff, commitment_id=steps[0].pk, answer="维保记录已在各单元公示栏张贴。", files=[_photo("notice.png", "blue")]
            )
        made += 1
    town = Subdistrict.objects.filter(name="山腰街道").first()
    if town is not None:
        services.summons_record(
            actor=district,
            subject=Summons.Subject.OFFICE,
            subdistrict_id=town.pk,
            held_on=day(20),
            venue="泉港区住建局三楼会议室",
            reason="山腰街道自管小区环境卫生投诉上升，街道物业管理办公室督导不力。",
            attendees="区住建局物业科负责人\n山腰街道分管领导、物业管理办公室主任",
            commitments=[services.CommitmentInput("一个月内完成辖区自管小区环境卫生排查并建立台账", day(20) + timedelta(days=30))],
            figure_keys=["complaint_ratio", "complaints"],
            figure_month=(day(20).replace(day=1) - timedelta(days=1)).replace(day=1),
        )
        made += 1
    stdout.write(f"  {made} summonses")
