"""Factories for tests. Practitioners come from the demo generator, so every ID is valid."""

import itertools

import factory

from practitioners import records
from practitioners.constants import AuditAction, Role
from practitioners.demo import demo_person
from practitioners.models import Bureau, Practitioner, User

_person_numbers = itertools.count(900_000)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    display_name = factory.Sequence(lambda n: f"测试用户{n}")
    role = Role.CLERK
    password = factory.django.Password("Pass-word-2026")


def person_values(bureau: Bureau, **overrides) -> dict:
    """Valid register values for a new person of `bureau` (bureau_code included)."""
    values = demo_person(next(_person_numbers), [bureau.code], [1])
    values.update(overrides)
    return values


class PractitionerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practitioner

    bureau = factory.LazyFunction(lambda: Bureau.objects.get(code="450103"))

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        bureau = kwargs.pop("bureau")
        values = person_values(bureau)
        values.pop("bureau_code")
        values.update(kwargs)
        # Through the record's one writer: counted and audited as any new person.
        return records.create_record(
            values={"bureau": bureau, **values}, actor=None, action=AuditAction.CREATED
        )
