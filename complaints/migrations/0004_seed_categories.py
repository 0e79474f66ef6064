"""Seed the complaint categories so a fresh database serves the API without seed_demo (SPEC §4.1).

The first ten problems are the district's targets; elevator faults are split so an entrapment
(someone stuck in the car) gets the urgent deadline. Deadlines: sign for within N working hours,
resolve within M working days (core.workdays). Existing rows (edited by officials) are left alone.
"""

from django.db import migrations

# code, Chinese, English, group, sign-for hours, resolve days, urgent, target, keywords
CATEGORIES = [
    ("ebike", "电动车停放充电", "E-bike parking and charging", "安全隐患", 4, 3, False, True, "电动车,电瓶车,充电,飞线,楼道停放"),
    ("elevator-entrapment", "电梯困人", "Elevator entrapment", "设施设备", 1, 1, True, True, "困人,被困,关在电梯"),
    ("elevator", "电梯故障", "Elevator fault", "设施设备", 2, 2, False, True, "电梯,停运,故障,异响"),
    ("parking", "车辆乱停放", "Disorderly vehicle parking", "秩序维护", 4, 3, False, True, "乱停,停车,占道,车位"),
    ("road", "道路破损", "Damaged roads", "共用部位", 8, 7, False, True, "路面,破损,坑洼,塌陷"),
    ("lighting", "公共照明不足", "Insufficient public lighting", "共用设施", 8, 5, False, True, "路灯,照明,灯坏,太暗"),
    ("fire-lane", "消防通道堵塞", "Blocked fire lane", "安全隐患", 1, 1, True, True, "消防通道,消防,堵塞"),
    ("sewage", "污水管道堵塞", "Sewage blockage", "共用设施", 4, 3, False, True, "下水道,污水,化粪池,管道堵"),
    ("leak", "漏水渗水", "Water leaks", "共用部位", 4, 5, False, True, "漏水,渗水,水管,爆管"),
    ("sanitation", "环境卫生", "Sanitation", "清洁卫生", 4, 3, False, True, "垃圾,卫生,清运,保洁"),
    ("greenery", "绿化养护", "Greenery", "绿化养护", 8, 7, False, True, "绿化,树木,草坪,修剪"),
    ("noise", "噪声扰民", "Noise", "秩序维护", 4, 3, False, False, "噪音,噪声,装修,扰民"),
    ("fees", "物业收费", "Fees", "物业服务", 8, 10, False, False, "物业费,收费,停车费,公摊"),
    ("other", "其他", "Other", "其他", 8, 5, False, False, ""),
]


def seed(apps, schema_editor):
    Category = apps.get_model("complaints", "Category")
    for order, (code, zh, en, group, hours, days, urgent, target, keywords) in enumerate(CATEGORIES, start=1):
        Category.objects.get_or_create(
            code=code,
            defaults={
                "name_zh": zh,
                "name_en": en,
                "group": group,
                "accept_hours": hours,
                "resolve_days": days,
                "is_urgent": urgent,
                "is_target": target,
                "keywords": keywords,
                "sort_order": order * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("complaints", "0003_workflow_idempotency")]

    operations = [migrations.RunPython(seed, migrations.RunPython.noop)]
