"""Who may open each collection URL: the permission matrix, photos and PDFs included."""

import pytest
from django.urls import reverse

from collection import diff, services
from collection.models import Campaign

pytestmark = pytest.mark.django_db

PERSONAS = [
    "anonymous",
    "account_a",
    "account_b",
    "clerk_a",
    "admin_a",
    "clerk_b",
    "city_staff",
    "city_clerk",
]
P_ONLY = dict(
    anonymous=302,
    account_a=200,
    account_b=200,
    clerk_a=403,
    admin_a=403,
    clerk_b=403,
    city_staff=403,
    city_clerk=403,
)
MATRIX = {
    "home": P_ONLY,
    "application": P_ONLY,
    "photo_upload": P_ONLY,
    # the photo of practitioner A: the owner and the staff of A's bureau (and city staff)
    "photo_a": dict(
        anonymous=302,
        account_a=200,
        account_b=404,
        clerk_a=200,
        admin_a=200,
        clerk_b=404,
        city_staff=200,
        city_clerk=404,
    ),
    "own_pdf": dict(
        anonymous=302,
        account_a=200,
        account_b=302,
        clerk_a=403,
        admin_a=403,
        clerk_b=403,
        city_staff=403,
        city_clerk=403,
    ),
    "staff_application_a": dict(
        anonymous=302,
        account_a=403,
        account_b=403,
        clerk_a=200,
        admin_a=200,
        clerk_b=404,
        city_staff=200,
        city_clerk=404,
    ),
    "staff_pdf_a": dict(
        anonymous=302,
        account_a=403,
        account_b=403,
        clerk_a=200,
        admin_a=200,
        clerk_b=404,
        city_staff=200,
        city_clerk=404,
    ),
    "campaigns": dict(
        anonymous=302,
        account_a=403,
        account_b=403,
        clerk_a=200,
        admin_a=200,
        clerk_b=200,
        city_staff=200,
        city_clerk=200,
    ),
    "campaign_edit": dict(
        anonymous=302,
        account_a=403,
        account_b=403,
        clerk_a=403,
        admin_a=403,
        clerk_b=403,
        city_staff=200,
        city_clerk=403,
    ),
    "activate": dict(
        anonymous=200,
        account_a=302,
        account_b=302,
        clerk_a=302,
        admin_a=302,
        clerk_b=302,
        city_staff=302,
        city_clerk=302,
    ),
}


@pytest.fixture
def submitted_a(practitioner_a, account_a, account_b, with_photo):
    services.submit_application(
        practitioner=practitioner_a,
        actor=account_a,
        values=diff.record_values(practitioner_a),
        revision=None,
    )
    return with_photo


def url(page, practitioner_a, photo, campaign):
    return {
        "home": reverse("collection:home"),
        "application": reverse("collection:application"),
        "photo_upload": reverse("collection:photo_upload"),
        "photo_a": reverse("collection:photo", args=[photo.pk]),
        "own_pdf": reverse("collection:application_pdf"),
        "staff_application_a": reverse("collection:staff_application", args=[practitioner_a.pk]),
        "staff_pdf_a": reverse("collection:staff_application_pdf", args=[practitioner_a.pk]),
        "campaigns": reverse("collection:campaigns"),
        "campaign_edit": reverse("collection:campaign_edit", args=[campaign.pk]),
        "activate": reverse("collection:activate"),
    }[page]


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize("page", list(MATRIX))
def test_permission_matrix(client, request, persona, page, practitioner_a, submitted_a, campaign):
    if persona != "anonymous":
        client.force_login(request.getfixturevalue(persona))
    response = client.get(url(page, practitioner_a, submitted_a, campaign))
    assert response.status_code == MATRIX[page][persona], (page, persona)


def test_photos_have_no_public_url(with_photo):
    with pytest.raises(ValueError):
        with_photo.image.url  # noqa: B018


def test_photo_is_streamed_as_jpeg_privately(client, account_a, with_photo):
    client.force_login(account_a)
    response = client.get(reverse("collection:photo", args=[with_photo.pk]))
    assert response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"].startswith("private")
    national = client.get(reverse("collection:photo", args=[with_photo.pk]), {"size": "national"})
    from io import BytesIO

    from PIL import Image

    assert Image.open(BytesIO(b"".join(national.streaming_content))).size == (102, 126)


def test_city_staff_create_a_campaign_and_only_one_stays_active(client, city_staff, campaign):
    client.force_login(city_staff)
    response = client.post(
        reverse("collection:campaign_new"),
        {
            "name": "2027年采集",
            "start_date": "2027-03-01",
            "plan_due_date": "2027-03-15",
            "collection_due_date": "2027-06-30",
            "report_weekday": 7,
            "active": "on",
        },
    )
    assert response.status_code == 302
    assert list(Campaign.objects.filter(is_active=True).values_list("name", flat=True)) == [
        "2027年采集"
    ]


def test_campaign_dates_out_of_order_are_refused(client, city_staff, campaign):
    client.force_login(city_staff)
    response = client.post(
        reverse("collection:campaign_new"),
        {
            "name": "错误",
            "start_date": "2027-03-01",
            "plan_due_date": "2027-02-01",
            "collection_due_date": "2027-06-30",
            "report_weekday": 7,
        },
    )
    assert response.status_code == 200 and response.context["form"].errors
