"""Factories for places, companies, units, owners and users."""

import itertools
from decimal import Decimal

import factory

from communities.credit_code import make_code
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

PASSWORD = "linli-demo-2026"
_codes = itertools.count(1)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.LazyAttribute(lambda o: o.username)
    password = factory.django.Password(PASSWORD)


class DistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = District
        django_get_or_create = ("name",)

    name = "泉港区"


class SubdistrictFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Subdistrict
        django_get_or_create = ("district", "name")

    district = factory.SubFactory(DistrictFactory)
    name = factory.Sequence(lambda n: f"镇{n}")


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community
        django_get_or_create = ("subdistrict", "name")

    subdistrict = factory.SubFactory(SubdistrictFactory)
    name = factory.Sequence(lambda n: f"社区{n}")


class CompanyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PropertyCompany
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"物业公司{n}")
    credit_code = factory.LazyFunction(lambda: make_code(f"91350505{next(_codes):09d}"))


class CompoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Compound
        django_get_or_create = ("community", "name")

    community = factory.SubFactory(CommunityFactory)
    name = factory.Sequence(lambda n: f"小区{n}")
    household_count = 100


class ContractFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ManagementContract

    compound = factory.SubFactory(CompoundFactory)
    company = factory.SubFactory(CompanyFactory)
    start = "2020-01-01"


class OwnerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Owner

    name = factory.Sequence(lambda n: f"业主{n}")


class UnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Unit

    compound = factory.SubFactory(CompoundFactory)
    building = "1幢"
    entrance = "1单元"
    room = factory.Sequence(lambda n: f"{n + 101}")
    area = Decimal("100.00")


def give_unit(user: User, compound: Compound, *, area: Decimal = Decimal("100.00")) -> Unit:
    """Make `user` the verified owner of a new unit in `compound`."""
    owner = Owner.objects.filter(user=user).first() or OwnerFactory(name=user.display_name or user.username, user=user)
    unit = UnitFactory(compound=compound, area=area)
    Ownership.objects.create(unit=unit, owner=owner)
    return unit


def role(user: User, kind: str, **scope) -> RoleAssignment:
    return RoleAssignment.objects.create(user=user, role=kind, **scope)
