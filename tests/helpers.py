"""Plain helpers the tests share (fixtures are in conftest.py)."""

import csv
import io
import threading
from contextlib import contextmanager

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook
from PIL import Image

from collection import diff
from collection import services as collection_services
from confirmation import services as counter_services
from practitioners import registerfile
from practitioners.registerfile import HEADERS
from tests.pngs import png_chunk, solid_png  # noqa: F401  (the tests import them from here)

PASSWORD = "Pass-word-2026"


def within_budget(budget: int, client, url, data=None, *, method="get"):
    """One request to a page, held to the page's query budget: at most `budget` queries.
    Returns the response and the number of queries, so that a test can also check that the
    count does not grow with the rows (no query per row).

    A budget is a ceiling, not a count to match, and no SQL text is compared: a page that gets
    cheaper still passes, and the same work phrased otherwise by the ORM or the database (a
    savepoint more on one backend) is no failure; a page that costs more fails, its queries
    listed."""
    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(url, data or {})
    count = len(captured.captured_queries)
    assert count <= budget, f"{count} queries, over the budget of {budget}:\n" + "\n".join(
        query["sql"][:200] for query in captured.captured_queries
    )
    return response, count


def jpeg_bytes(size=(600, 800), color=(200, 180, 160)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "JPEG", quality=90)
    return out.getvalue()


def rgba_png(width: int, height: int) -> bytes:
    """A half-transparent green 8-bit RGBA PNG (colour type 6)."""
    return solid_png(
        width, height, bit_depth=8, colour_type=6, row=bytes((20, 200, 20, 128)) * width
    )


def submit(practitioner, account, **changes):
    """Submit the practitioner's application (photo already uploaded) with some changes;
    returns the application."""
    application = practitioner.applications.first()
    values = {f: diff.python_value(f, v) for f, v in diff.record_values(practitioner).items()}
    values.update(changes)
    collection_services.submit_application(
        practitioner=practitioner,
        actor=account,
        values=values,
        revision=application.revision if application else 0,
    )
    return practitioner.applications.get()


def submit_change(practitioner, account, **changes):
    """Submit a change request of the practitioner's confirmed record; the change request."""
    from collection import selectors

    practitioner.refresh_from_db()
    open_change = selectors.open_change(practitioner=practitioner)
    values = {f: diff.python_value(f, v) for f, v in diff.record_values(practitioner).items()}
    values.update(changes)
    collection_services.submit_change(
        practitioner=practitioner,
        actor=account,
        values=values,
        revision=open_change.revision if open_change else 0,
    )
    return selectors.open_change(practitioner=practitioner)


def ticks_for(application) -> set[str]:
    """Every tick the counter needs to confirm the application's latest version."""
    submission = application.latest_submission
    changes = counter_services.decision_changes(application, submission)
    return {
        key
        for key, _label in counter_services.required_ticks(
            data=submission.data, changes=changes, kind=application.kind
        )
    }


def all_ticks(application) -> dict:
    return {f"tick_{key}": "on" for key in ticks_for(application)}


def confirm(application, clerk):
    """Confirm at the counter as the clerk, with every original ticked."""
    application.refresh_from_db()
    return counter_services.confirm_at_counter(
        application=application,
        actor=clerk,
        checklist=ticks_for(application),
        revision=application.revision,
    )


def make_submitted(county, campaign, count) -> list:
    """`count` new practitioners of `county`, each with an account, a photo and a submitted
    application; the applications."""
    from practitioners.constants import Role
    from tests.factories import PractitionerFactory, UserFactory

    applications = []
    for _ in range(count):
        practitioner = PractitionerFactory(bureau=county)
        account = UserFactory(username=practitioner.id_number, role=Role.PRACTITIONER, bureau=None)
        practitioner.account = account
        practitioner.save(update_fields=["account"])
        collection_services.set_application_photo(
            practitioner=practitioner, actor=account, data=jpeg_bytes()
        )
        applications.append(submit(practitioner, account))
    return applications


# --- Register files ---------------------------------------------------------------------


def make_records(bureau, count=3, **overrides):
    from tests.factories import person_values

    return [person_values(bureau, **overrides) for _ in range(count)]


def csv_bytes(records, *, encoding="utf-8", headers=HEADERS, bom=False) -> bytes:
    text = "".join(registerfile.iter_csv(records)).lstrip("\ufeff")
    if headers is not HEADERS:
        lines = text.split("\r\n", 1)
        text = ",".join(headers) + "\r\n" + lines[1]
    data = text.encode(encoding)
    return (b"\xef\xbb\xbf" + data) if bom else data


def rows_as_csv(rows: list[dict]) -> bytes:
    """A CSV with only the given columns, in the given order (the dicts' keys)."""
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows: list[list]) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()


# The smallest file the work plan upload takes for a PDF (it reads the content, not the name).
def pdf_bytes(*, version: bytes = b"1.7", before: bytes = b"", after: bytes = b"") -> bytes:
    """A one-page PDF whose cross-reference table and `startxref` are where they say (the work
    plan check reads them); `before` goes ahead of the header, `after` past `%%EOF`."""
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] >>",
    ]
    out = bytearray(before + b"%PDF-" + version + b"\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n%s\nendobj\n" % (number, body)
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % offset for offset in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out + after)


PLAN_PDF = pdf_bytes()


def run_together(*calls):
    """Run the calls in threads released at the same moment; returns (results, errors)."""
    from django.db import connection

    barrier = threading.Barrier(len(calls))
    results, errors = [None] * len(calls), [None] * len(calls)

    def worker(index, call):
        try:
            barrier.wait()
            results[index] = call()
        except Exception as exc:  # noqa: BLE001 — the test inspects what each thread raised
            errors[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results, errors


def longest_values(county) -> dict:
    """Every field at the most the form accepts (the model's lengths), with punctuation."""
    from practitioners.constants import AbacusLevel, Education, TitleLevel
    from practitioners.models import Practitioner

    values = {}
    for name in ("name", "major", "school", "employer", "address", "position", "title_cert_number"):
        limit = Practitioner._meta.get_field(name).max_length
        pattern = "广西民族大学相思湖学院会计系（函授），本科" if name != "name" else "韦"
        values[name] = (pattern * limit)[:limit]
    values["email"] = ("a" * 88 + "@example.com")[:100]
    values.update(
        title_level=TitleLevel.PROFESSOR,
        title_date="2010-01-01",
        abacus_level=AbacusLevel.MASTER,
        has_computing_cert=True,
        education=Education.DOCTORATE,
        ethnicity="外国血统中国籍人士",
        employer_credit_code="91450100MA5KXXXX1A"[:18],
        postcode="530000",
    )
    return values


@contextmanager
def rolled_back():
    """A block whose writes are undone at its end (a savepoint rolled back): each generated
    example of a property test sees the same world."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


@contextmanager
def audit_trigger_off():
    """Inside the test's transaction, with PostgreSQL's trigger that refuses to change or delete
    an audit event switched off: to play someone who bypasses it (the table's owner), or to
    clear the fixtures' events. Nothing else in the product can."""
    off = connection.vendor == "postgresql"
    if off:
        with connection.cursor() as cursor:
            cursor.execute(f"ALTER TABLE practitioners_auditevent DISABLE TRIGGER {AUDIT_TRIGGER}")
    try:
        yield
    finally:
        if off:
            with connection.cursor() as cursor:
                cursor.execute(
                    f"ALTER TABLE practitioners_auditevent ENABLE TRIGGER {AUDIT_TRIGGER}"
                )


AUDIT_TRIGGER = "registry_audit_event_immutable"


def clear_audit_trail() -> None:
    """Remove the events the fixtures wrote (creating people): for tests that look at a few."""
    from practitioners.models import AuditEvent

    with audit_trigger_off():
        AuditEvent.objects.all().delete()
