"""The register file's import as a whole: the register's rows (practitioners.services) and the
business done before the system that the same rows carry (上岗日期, 继续教育学时), written as
approved records marked imported, in the import's transaction. It lives here, above both apps,
so that the register never calls up into business. Importing the same file again adds nothing.
"""

from business.constants import RegistrationStatus, Source
from business.models import EducationRecord, OnPostRegistration
from practitioners import imports as register_imports
from practitioners.models import User


def import_register(
    *,
    actor: User | None,
    data: bytes,
    filename: str = "",
    skip_invalid: bool = False,
    dry_run: bool = False,
) -> register_imports.ImportResult:
    """Load a register file (practitioners.imports.import_register says what is checked and
    who may import whose rows) with the earlier records its rows carry."""
    return register_imports.import_register(
        actor=actor,
        data=data,
        filename=filename,
        skip_invalid=skip_invalid,
        dry_run=dry_run,
        write_earlier=write_earlier_records,
    )


def write_earlier_records(records: dict[int, dict], actor: User | None) -> int:
    """{practitioner id: values} -> the on-post and continuing-education records not yet held."""
    if not records:
        return 0
    people = list(records)
    have_on_post = set(
        OnPostRegistration.objects.filter(
            practitioner_id__in=people, source=Source.IMPORTED
        ).values_list("practitioner_id", "start_date")
    )
    have_education = set(
        EducationRecord.objects.filter(
            practitioner_id__in=people, source=Source.IMPORTED
        ).values_list("practitioner_id", "year")
    )
    on_post, education = [], []
    common = {
        "status": RegistrationStatus.APPROVED,
        "source": Source.IMPORTED,
        "submitted_by": actor,
    }
    for pk, values in records.items():
        start = values.get("on_post_since")
        if start and (pk, start) not in have_on_post:
            on_post.append(
                OnPostRegistration(
                    practitioner_id=pk,
                    employer=values.get("employer") or "",
                    post=values.get("position") or "",
                    start_date=start,
                    **common,
                )
            )
            have_on_post.add((pk, start))
        for year, hours in values.get("education_hours") or []:
            if (pk, year) not in have_education:
                education.append(
                    EducationRecord(practitioner_id=pk, year=year, hours=hours, **common)
                )
                have_education.add((pk, year))
    OnPostRegistration.objects.bulk_create(on_post, batch_size=1000)
    EducationRecord.objects.bulk_create(education, batch_size=1000)
    return len(on_post) + len(education)
