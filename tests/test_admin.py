"""The admin site writes around no service: logs are read-only, domain records change through
their services (audited) or not at all, and its names are translated."""

import datetime

import pytest
from django.urls import reverse

from collection.models import Campaign
from confirmation.constants import PrintKind
from confirmation.models import PrintLog
from practitioners.constants import Role
from practitioners.models import AuditEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(city):
    return UserFactory(
        username="admin", role=Role.CITY_STAFF, bureau=city, is_staff=True, is_superuser=True
    )


@pytest.fixture
def admin_client(client, superuser):
    client.force_login(superuser)
    return client


def test_a_practitioner_cannot_be_changed_or_deleted_in_the_admin(admin_client, practitioner_a):
    change = reverse("admin:practitioners_practitioner_change", args=[practitioner_a.pk])
    assert admin_client.get(change).status_code == 200  # shown, read-only
    admin_client.post(change, {"name": "改名"})
    practitioner_a.refresh_from_db()
    assert practitioner_a.name != "改名"
    delete = reverse("admin:practitioners_practitioner_delete", args=[practitioner_a.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403


def test_the_print_log_cannot_be_edited_or_deleted(admin_client, clerk_a, county_a):
    entry = PrintLog.objects.create(bureau=county_a, kind=PrintKind.CALIBRATION, printed_by=clerk_a)
    delete = reverse("admin:confirmation_printlog_delete", args=[entry.pk])
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert PrintLog.objects.filter(pk=entry.pk).exists()
    assert admin_client.get(reverse("admin:confirmation_printlog_add")).status_code == 403


def test_a_campaign_made_active_in_the_admin_ends_the_other_and_is_audited(
    admin_client, superuser, campaign
):
    other = Campaign.objects.create(
        name="2011年采集",
        start_date=datetime.date(2011, 5, 16),
        plan_due_date=datetime.date(2011, 6, 2),
        collection_due_date=datetime.date(2011, 6, 30),
    )
    response = admin_client.post(
        reverse("admin:collection_campaign_change", args=[other.pk]),
        {
            "name": other.name,
            "start_date": "2011-05-16",
            "plan_due_date": "2011-06-02",
            "collection_due_date": "2011-06-30",
            "report_weekday": 7,
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert list(Campaign.objects.filter(is_active=True)) == [other]
    assert AuditEvent.objects.filter(actor=superuser, detail__campaign=other.pk).exists()


def test_a_service_hall_corrected_in_the_admin_is_audited(admin_client, superuser, county_a):
    response = admin_client.post(
        reverse("admin:practitioners_bureau_change", args=[county_a.pk]),
        {
            "section_name": county_a.section_name,
            "hall_name": county_a.hall_name,
            "hall_address": "南宁市青秀区民族大道1号",
            "hall_phone": county_a.hall_phone,
            "hall_hours": county_a.hall_hours,
        },
    )
    assert response.status_code == 302
    county_a.refresh_from_db()
    assert county_a.hall_address == "南宁市青秀区民族大道1号"
    event = AuditEvent.objects.get(actor=superuser, bureau=county_a, action="updated")
    assert event.detail["changes"]["hall_address"]["new"] == "南宁市青秀区民族大道1号"


def test_admin_names_are_in_chinese(admin_client):
    html = admin_client.get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="zh-hans").content
    text = html.decode()
    for name in ("打印记录", "确认记录", "受理窗口退回记录", "信息采集申请"):
        assert name in text, name
    assert "Print logs" not in text


def test_the_superusers_logins_and_every_admin_change_are_audited(client, superuser, county_a):
    """The superuser is for installation only: each login is in the audit trail, and so is
    each change made in the admin, beside the service's own event."""
    superuser.set_password("Pass-word-2026")
    superuser.save()
    page = client.post(reverse("admin:login"), {"username": "admin", "password": "Pass-word-2026"})
    assert page.status_code == 302
    assert AuditEvent.objects.filter(actor=superuser, action="superuser_login").exists()
    client.post(
        reverse("admin:practitioners_bureau_change", args=[county_a.pk]),
        {
            "section_name": county_a.section_name,
            "hall_name": county_a.hall_name,
            "hall_address": "南宁市青秀区民族大道2号",
            "hall_phone": county_a.hall_phone,
            "hall_hours": county_a.hall_hours,
        },
    )
    change = AuditEvent.objects.get(actor=superuser, action="admin_change")
    assert change.detail["model"] == "practitioners.bureau" and change.detail["what"] == "changed"
    assert change.detail["object_id"] == str(county_a.pk)


def test_a_staff_login_is_not_a_superuser_login(client, clerk_a):
    client.post(reverse("login"), {"username": "clerk_a", "password": "Pass-word-2026"})
    assert not AuditEvent.objects.filter(action="superuser_login").exists()
