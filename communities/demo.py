"""Demo district: Quangang (泉港区) of the seed article, its towns, communities, ~120 compounds,
property companies, units with owners, and the demo accounts (password linli-demo-2026)."""

import datetime as dt
import random
from decimal import Decimal

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group, Permission
from django.db import connection
from django.utils import timezone

from communities import id_numbers
from communities.credit_code import ALPHABET, make_code
from communities.models import (
    Community,
    Compound,
    District,
    ManagementContract,
    Owner,
    Ownership,
    PropertyCompany,
    RoleAssignment,
    Subdistrict,
    Unit,
)
from core.models import User

DEMO_PASSWORD = "linli-demo-2026"
# Compounds of this many households or more are expected to form an owners' committee (the formation
# rate's denominator); with the demo's compounds that makes 110 of 120, so 77 committees give the
# article's 70%. Smaller compounds may still form one.
COMMITTEE_MIN_HOUSEHOLDS = 150
CONTRACT_START = "2021-01-01"

TOWNS = [
    ("山腰街道", Subdistrict.Kind.STREET, ["锦祥社区", "山腰社区", "钟厝社区", "前亭社区"]),
    ("前黄镇", Subdistrict.Kind.TOWN, ["前黄社区", "坑北社区", "凤北社区"]),
    ("峰尾镇", Subdistrict.Kind.TOWN, ["峰尾社区", "诚平社区", "东张社区"]),
    ("南埔镇", Subdistrict.Kind.TOWN, ["南埔社区", "天竹社区", "柯厝社区"]),
    ("后龙镇", Subdistrict.Kind.TOWN, ["福炼社区", "后龙社区", "峰前社区"]),
    ("界山镇", Subdistrict.Kind.TOWN, ["界山社区", "东埔社区", "群山社区"]),
    ("涂岭镇", Subdistrict.Kind.TOWN, ["涂岭社区", "樟脚社区"]),
]

# (name, community, built, old, households, company or None for self-managed, address)
NAMED = [
    ("福炼小区", "福炼社区", 1991, True, 486, "一方物业", "后龙镇福炼路1号"),
    ("天马华耀城", "界山社区", 2015, False, 1268, "怡家园物业", "界山镇天马路88号"),
    ("锦祥安置小区", "锦祥社区", 2009, True, 932, "锦祥物业", "山腰街道锦祥路6号"),
    ("圭东小区", "山腰社区", 1998, True, 214, None, "山腰街道圭东街12号"),
    ("逸涛步行街", "前亭社区", 2003, True, 168, "鑫港物业", "山腰街道逸涛路"),
]

COMPANIES = [
    ("一方物业", "泉州市泉港区一方物业管理有限公司", "陈欢"),
    ("怡家园物业", "泉州怡家园物业服务有限公司", "陈良伟"),
    ("锦祥物业", "泉港锦祥物业服务有限公司", "庄开宏"),
    ("鑫港物业", "泉港鑫港物业管理有限公司", "林志强"),
    ("嘉泰物业", "福建嘉泰物业服务有限公司", "刘嘉泰"),
    ("滨海物业", "泉州滨海物业管理有限公司", "郭海滨"),
    ("安泰物业", "泉港安泰物业服务有限公司", "张安泰"),
    ("恒信物业", "泉州恒信物业服务有限公司", "辛恒信"),
]

PREFIXES = [
    "金港",
    "海景",
    "凤凰",
    "学府",
    "滨海",
    "世纪",
    "锦绣",
    "华府",
    "阳光",
    "祥和",
    "龙湖",
    "东方",
    "明珠",
    "嘉园",
    "翠屏",
    "紫荆",
    "青山",
    "南山",
    "海峡",
    "丰泽",
    "泉惠",
    "港湾",
    "育才",
    "福源",
]
SUFFIXES = ["花园", "小区", "家园", "苑", "公寓", "新城", "雅居", "华庭"]
SURNAMES = "陈林黄张李王吴刘蔡杨郑许谢郭洪曾邱廖赖周徐苏叶庄吕何"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红梅玉兰海燕辉俊凯"


def _credit_code(seq: int) -> str:
    rng = random.Random(f"company-{seq}")
    org = "".join(rng.choice(ALPHABET) for _ in range(9))
    return make_code("91350505" + org)


def _person_name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice([1, 2])))


def seed(stdout) -> None:
    district, _ = District.objects.get_or_create(name="泉港区", defaults={"code": "350505"})
    communities: dict[str, Community] = {}
    towns: dict[str, Subdistrict] = {}
    for town_name, kind, community_names in TOWNS:
        town, _ = Subdistrict.objects.get_or_create(district=district, name=town_name, defaults={"kind": kind})
        towns[town_name] = town
        for name in community_names:
            communities[name], _ = Community.objects.get_or_create(subdistrict=town, name=name)

    companies: dict[str, PropertyCompany] = {}
    for seq, (short, full, contact) in enumerate(COMPANIES):
        companies[short], _ = PropertyCompany.objects.get_or_create(
            name=full,
            defaults={"credit_code": _credit_code(seq), "contact_person": contact, "contact_phone": f"0595-8778{seq:04d}"},
        )

    rng = random.Random("linli-compounds")
    plan = list(NAMED)
    community_names = list(communities)
    used = {n[0] for n in NAMED}
    company_names = list(companies)
    while len(plan) < 120:
        name = rng.choice(PREFIXES) + rng.choice(SUFFIXES)
        if name in used:
            continue
        used.add(name)
        community = community_names[len(plan) % len(community_names)]
        built = rng.randint(1988, 2022)
        company = None if rng.random() < 0.12 else rng.choice(company_names)
        plan.append(
            (name, community, built, built < 2005, rng.randint(60, 900), company, f"{communities[community].subdistrict.name}{name}")
        )

    pending: list[tuple[Compound, int]] = []
    for idx, (name, community, built, old, households, company, address) in enumerate(plan):
        compound, created = Compound.objects.get_or_create(
            community=communities[community],
            name=name,
            defaults={
                "address": address,
                "household_count": households,
                "built_year": built,
                "is_old": old,
                "has_party_branch": households >= 200 or name == "福炼小区",
                "committee_eligible": households >= COMMITTEE_MIN_HOUSEHOLDS,
                "aliases": "福炼新村" if name == "福炼小区" else ("天马华耀" if name == "天马华耀城" else ""),
                "latitude": Decimal("25.100000") + Decimal(idx) / Decimal(1000),
                "longitude": Decimal("118.850000") + Decimal(idx) / Decimal(800),
            },
        )
        if company and not ManagementContract.objects.filter(compound=compound).exists():
            ManagementContract.objects.create(compound=compound, company=companies[company], start=CONTRACT_START)
        if created or not compound.units.exists():
            pending.append((compound, households))

    _seed_units(pending)
    _seed_accounts(district, towns, communities, companies)
    stdout.write(f"  {Compound.objects.count()} compounds, {Unit.objects.count()} units, {PropertyCompany.objects.count()} companies")


def _seed_units(pending: list[tuple[Compound, int]]) -> None:
    """One unit per household; a few owners hold several units, a handful are the developer's unsold units.

    ~60,000 units, owners and ownerships: written with plain multi-row INSERTs because bulk_create
    spends most of its time preparing values field by field (the seed took ~20 s that way, ~4 s now).
    Every owner carries the digest of a synthetic, deterministic ID number, which is also how the
    inserted owners are found again to link them to their units.
    """
    if not pending:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    unit_rows: list[tuple] = []
    owner_rows: dict[str, tuple] = {}
    links: list[tuple[int, str, str, str, str]] = []  # compound id, building, entrance, room, owner digest
    for compound, households in pending:
        rng = random.Random(f"units-{compound.name}")
        per_floor, floors = 4, 6
        addresses = []
        for i in range(households):
            building = f"{i // (per_floor * floors * 2) + 1}幢"
            entrance = f"{(i // (per_floor * floors)) % 2 + 1}单元"
            room = f"{(i // per_floor) % floors + 1}0{i % per_floor + 1}"
            kind = Unit.Kind.SHOP if i % 97 == 0 else Unit.Kind.APARTMENT
            area = Decimal(rng.choice([68, 75, 82, 89, 96, 105, 118, 126, 138])) + Decimal(rng.randint(0, 99)) / 100
            unsold = (not compound.is_old) and i >= households - max(1, households // 60)
            unit_rows.append((compound.pk, building, entrance, room, kind, area, unsold, now, now))
            addresses.append((building, entrance, room, unsold))
        developer = id_numbers.digest(make_code(f"91350505D{compound.pk:08d}"))
        owners: list[str] = []
        for serial, (building, entrance, room, unsold) in enumerate(addresses):
            if unsold:
                owner_rows[developer] = (f"{compound.name}开发商", developer, "", True, now, now)
                digest = developer
            elif owners and rng.random() < 0.04:
                digest = rng.choice(owners)  # one buyer with several units
            else:
                digest = id_numbers.digest(_demo_resident_id(compound.pk * 10000 + serial))
                owner_rows[digest] = (_person_name(rng), digest, "", False, now, now)
                owners.append(digest)
            links.append((compound.pk, building, entrance, room, digest))

    unit_fields = ["compound", "building", "entrance", "room", "kind", "area", "is_developer_unsold", "created_at", "updated_at"]
    _insert(Unit, unit_fields, unit_rows)
    owner_fields = ["name", "id_number_hash", "phone", "is_developer", "created_at", "updated_at"]
    _insert(Owner, owner_fields, list(owner_rows.values()), skip_existing=True)
    unit_ids = {
        (c, b, e, r): pk
        for pk, c, b, e, r in Unit.objects.filter(compound__in=[c for c, _ in pending]).values_list(
            "id", "compound_id", "building", "entrance", "room"
        )
    }
    owner_ids = dict(Owner.objects.exclude(id_number_hash="").values_list("id_number_hash", "id"))
    _insert(
        Ownership,
        ["unit", "owner", "created_at", "updated_at"],
        [(unit_ids[(c, b, e, r)], owner_ids[digest], now, now) for c, b, e, r, digest in links],
    )


def _demo_resident_id(n: int) -> str:
    """A distinct, valid-looking ID number for each n within any span of 18,000,000 (birth date and serial from n).

    n comes from compound ids, which grow without bound in a long-lived database (or a test database whose
    sequences outlive rolled-back tests); taken modulo the span, the serial stays three digits.
    """
    n %= 18_000_000
    born = dt.date(1950, 1, 1) + dt.timedelta(days=(n * 7919) % 18000)
    return id_numbers.make_resident_id(f"350505{born:%Y%m%d}{n // 18000:03d}")


def _insert(model, fields: list[str], rows: list[tuple], *, batch: int = 2000, skip_existing: bool = False) -> None:
    """Plain INSERT ... VALUES (...), (...) in batches, bypassing the ORM's per-field preparation.

    `skip_existing` adds ON CONFLICT DO NOTHING (PostgreSQL and SQLite alike): an owner left from an
    earlier run keeps its row."""
    qn = connection.ops.quote_name
    columns = ", ".join(qn(model._meta.get_field(name).column) for name in fields)
    one = "(" + ", ".join(["%s"] * len(fields)) + ")"
    # The backend's plain cursor: with DEBUG on, connection.cursor() would render every batch's
    # 18,000 parameters into the query log, which took longer than the inserts.
    connection.ensure_connection()
    cursor = connection.create_cursor()
    try:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            sql = f"INSERT INTO {qn(model._meta.db_table)} ({columns}) VALUES {', '.join([one] * len(chunk))}"
            if skip_existing:
                sql += " ON CONFLICT DO NOTHING"
            cursor.execute(sql, [value for row in chunk for value in row])
    finally:
        cursor.close()


def _account(username: str, display_name: str, password_hash: str, **extra) -> User:
    user, _ = User.objects.get_or_create(username=username, defaults={"display_name": display_name, "password": password_hash, **extra})
    return user


def _role(user: User, role: str, **scope) -> None:
    RoleAssignment.objects.get_or_create(user=user, role=role, **scope)


def _seed_accounts(district, towns, communities, companies) -> None:
    pw = make_password(DEMO_PASSWORD)
    admin = _account("admin", "系统管理员", pw, is_staff=True, is_superuser=True)
    del admin
    official = _account("district", "泉港区住建局 林主任", pw, is_staff=True)
    _role(official, "official", district=district)
    official.groups.add(_data_stewards())
    _role(_account("town_houlong", "后龙镇 黄干事", pw), "official", subdistrict=towns["后龙镇"])
    _role(_account("community_fulian", "福炼社区 刘俊辉", pw), "official", community=communities["福炼社区"])
    _role(_account("mediator_shanyao", "山腰街道 法律工作者 郑律师", pw), "mediator", subdistrict=towns["山腰街道"])
    RoleAssignment.objects.get_or_create(
        user=_account("staff_yifang", "一方物业 陈欢", pw, phone="13805950001"),
        role="staff",
        company=companies["一方物业"],
        defaults={"is_admin": True},
    )
    RoleAssignment.objects.get_or_create(
        user=_account("staff_yijiayuan", "怡家园物业 陈良伟", pw, phone="13805950002"),
        role="staff",
        company=companies["怡家园物业"],
        defaults={"is_admin": True},
    )

    fulian = Compound.objects.get(name="福炼小区")
    resident = _account("resident_fulian", "王红", pw, phone="13905951234")
    _role(resident, "resident")
    _link_owner(resident, fulian, "王红", 0)
    member = _account("committee_fulian", "福炼小区业委会 蔡主任", pw, phone="13905955678")
    _role(member, "resident")
    _role(member, "committee", compound=fulian)
    _link_owner(member, fulian, "蔡明", 1)


def _data_stewards() -> Group:
    """The district's data stewards may keep places, companies, units and owners right in the admin."""
    group, _ = Group.objects.get_or_create(name="数据维护员")
    perms = Permission.objects.filter(content_type__app_label="communities").exclude(codename__startswith="delete_")
    group.permissions.add(*perms, *Permission.objects.filter(content_type__app_label="core", codename__startswith="view_"))
    return group


def _link_owner(user: User, compound: Compound, name: str, index: int) -> None:
    """Make the demo user the registered owner of one ordinary unit in the compound."""
    if Owner.objects.filter(user=user).exists():
        return
    unit = compound.units.filter(is_developer_unsold=False).order_by("id")[index]
    owner = unit.owners.first()
    owner.name, owner.user, owner.phone = name, user, user.phone
    owner.save(update_fields=["name", "user", "phone", "updated_at"])
