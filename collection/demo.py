"""What the demo (accounting_registry.demo) needs of the collection app: the campaigns' names,
an ID photo to upload, and the sample people `seed_demo` prints."""

import functools
import io

from collection.constants import ApplicationStatus
from collection.models import Application, Campaign
from practitioners.models import Bureau, Practitioner

CAMPAIGN_NAME = "南宁市会计从业人员基本信息采集"
OLD_CAMPAIGN_NAME = "2011年南宁市会计从业人员基本信息采集"


@functools.cache
def demo_photo() -> bytes:
    """An ID photo as a phone would send it: a head and shoulders on a light background, twice
    the standard copy's size (decoded at half size: a few milliseconds an upload)."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (716, 882), (226, 236, 246))
    draw = ImageDraw.Draw(image)
    draw.ellipse((238, 140, 478, 420), fill=(120, 130, 145))  # head
    draw.rounded_rectangle((118, 440, 598, 960), radius=180, fill=(120, 130, 145))  # shoulders
    out = io.BytesIO()
    image.save(out, "JPEG", quality=85)
    return out.getvalue()


def sample_people(campaign: Campaign) -> list[tuple[str, str, str, str]]:
    """A few demo practitioners to try the site with, all of 青秀区 (served by clerk_450103):
    (state, login or activation data, name, the clerk of their bureau)."""
    rows = []
    county = Bureau.objects.get(code="450103")
    for status in ApplicationStatus.values:
        application = (
            Application.objects.filter(campaign=campaign, status=status, bureau=county)
            .select_related("practitioner")
            .order_by("id")
            .first()
        )
        if application:
            p = application.practitioner
            rows.append((status, p.id_number, p.name, f"clerk_{county.code}"))
    fresh = Practitioner.objects.filter(account__isnull=True, bureau=county).order_by("id").first()
    if fresh:
        rows.append(
            (
                "not activated",
                f"{fresh.id_number} / certificate {fresh.cert_number}",
                fresh.name,
                f"clerk_{county.code}",
            )
        )
    return rows
