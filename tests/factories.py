"""factory_boy factories; roles go through the accounts service, as in production."""

from __future__ import annotations

from typing import Any

import factory

from shuzhi.platform.accounts.models import Department, Division, User
from shuzhi.platform.accounts.services import user_roles_set

PASSWORD = "Quzhou@2026-test"


class DivisionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Division
        django_get_or_create = ("code",)

    code = "330800"
    name = "衢州市"
    name_en = "Quzhou"
    level = Division.Level.CITY


class CountyFactory(DivisionFactory):
    code = "330802"
    name = "柯城区"
    name_en = "Kecheng District"
    level = Division.Level.COUNTY
    parent = factory.SubFactory(DivisionFactory)


class DepartmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Department
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"330800-D{n:03d}")
    name = factory.Sequence(lambda n: f"测试部门{n}")
    division = factory.SubFactory(DivisionFactory)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"测试用户{n}")
    department = factory.SubFactory(DepartmentFactory)
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def roles(self, create: bool, extracted: Any, **kwargs: Any) -> None:
        if create and extracted:
            user_roles_set(user=self, roles=list(extracted), by=None)
