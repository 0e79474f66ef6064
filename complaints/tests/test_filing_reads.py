"""The hand-written read of complaint filing agrees with the ORM querysets it replaces.

complaints.selectors.filing_targets is SQL over core.sql column lists; each test here builds the
answer the ORM gives for the same question and compares field by field.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from communities.models import Compound, ManagementContract, RoleAssignment
from communities.selectors import with_current_company
from communities.tests import factories as f
from complaints import selectors
from complaints.models import Category
from complaints.tests.factories import category


def orm_targets(compound_id: int, category_id: int):
    compound = with_current_company(
        Compound.objects.filter(pk=compound_id, is_active=True).select_related("community__subdistrict")
    ).first()
    return compound, Category.objects.filter(pk=category_id, is_active=True).first()


def same(a, b) -> None:
    assert type(a) is type(b)
    assert model_to_dict(a) == model_to_dict(b)
    assert a.pk == b.pk and a._state.adding is False and b._state.adding is False


def test_a_managed_compound_comes_with_its_places_and_todays_company(world):
    targets = selectors.filing_targets(compound_id=world.fulian.pk, category_id=category("elevator").pk)
    compound, cat = targets.compound, targets.category
    expected, expected_cat = orm_targets(world.fulian.pk, category("elevator").pk)
    same(compound, expected)
    same(compound.community, expected.community)
    same(compound.community.subdistrict, expected.community.subdistrict)
    same(cat, expected_cat)
    company = targets.context.company
    assert (company.pk, company.name) == (expected.cc_id, expected.cc_name) == (world.yifang.pk, "一方物业")
    # Field types are the ORM's too (dates, decimals, booleans), not the driver's raw values.
    assert isinstance(compound.created_at, dt.datetime) and timezone.is_aware(compound.created_at)
    assert compound.is_active is True and cat.is_urgent in (True, False)


def test_a_self_managed_compound_has_no_company(world):
    targets = selectors.filing_targets(compound_id=world.jinxiang.pk, category_id=category("sanitation").pk)
    assert targets.compound.pk == world.jinxiang.pk and targets.context.company is None and list(targets.context.staff) == []


def test_only_the_contract_in_force_today_counts(world):
    today = timezone.localdate()
    ManagementContract.objects.filter(compound=world.fulian).update(end=today - dt.timedelta(days=1))
    successor = f.CompanyFactory(name="新物业")
    ManagementContract.objects.create(compound=world.fulian, company=successor, start=today + dt.timedelta(days=1))
    company = selectors.filing_targets(compound_id=world.fulian.pk, category_id=category("elevator").pk).context.company
    assert company is None and orm_targets(world.fulian.pk, category("elevator").pk)[0].cc_id is None
    ManagementContract.objects.filter(company=successor).update(start=today)
    company = selectors.filing_targets(compound_id=world.fulian.pk, category_id=category("elevator").pk).context.company
    assert (company.pk, company.name) == (successor.pk, "新物业")


@pytest.mark.parametrize("what", ["compound", "category"])
def test_inactive_or_unknown_targets_are_none(world, what):
    elevator = category("elevator")
    if what == "compound":
        Compound.objects.filter(pk=world.fulian.pk).update(is_active=False)
    else:
        Category.objects.filter(pk=elevator.pk).update(is_active=False)
    targets = selectors.filing_targets(compound_id=world.fulian.pk, category_id=elevator.pk)
    assert (targets.compound is None) == (what == "compound") and (targets.category is None) == (what == "category")
    unknown = selectors.filing_targets(compound_id=2**31 - 1, category_id=2**31 - 1)
    assert (unknown.compound, unknown.category, unknown.context.company, list(unknown.context.staff)) == (None, None, None, [])


def orm_staff(company_id: int) -> list[int]:
    return sorted(
        set(
            RoleAssignment.objects.filter(is_active=True, role="staff", company_id=company_id, user__is_active=True).values_list(
                "user_id", flat=True
            )
        )
    )


def test_the_staff_are_the_active_staff_of_todays_company_only(world):
    colleague = f.UserFactory(username="yifang2", email="yifang2@example.com")
    f.role(colleague, "staff", company=world.yifang)
    f.role(colleague, "staff", company=world.yifang, title="second role")  # still notified once
    gone = f.UserFactory(username="yifang_left", is_active=False)
    f.role(gone, "staff", company=world.yifang)
    moved = f.UserFactory(username="yifang_moved")
    f.role(moved, "staff", company=world.yifang, is_active=False)
    staff = selectors.filing_targets(compound_id=world.fulian.pk, category_id=category("elevator").pk).context.staff
    assert sorted(u.pk for u in staff) == orm_staff(world.yifang.pk) == sorted([world.staff_yifang.pk, colleague.pk])
    by_pk = {u.pk: u for u in staff}
    same(by_pk[colleague.pk], type(colleague).objects.get(pk=colleague.pk))
    assert by_pk[colleague.pk].email == "yifang2@example.com"
    # Not the staff of a company whose contract has ended.
    ManagementContract.objects.filter(compound=world.fulian).update(end=timezone.localdate() - dt.timedelta(days=1))
    assert list(selectors.filing_targets(compound_id=world.fulian.pk, category_id=category("elevator").pk).context.staff) == []


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_the_filing_read_is_planned_once_per_connection(world):
    """core.sql.fetch_all prepares it: the second filing on a connection reuses the first one's plan."""
    from django.db import connection

    for _ in range(3):
        selectors.filing_targets(compound_id=world.fulian.pk, category_id=category("elevator").pk)
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        statements = [row[0] for row in cursor.fetchall()]
    assert sum("complaints_category" in s for s in statements) == 1
