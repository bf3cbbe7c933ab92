"""What the browser tests share besides fixtures: viewport sizes and page measurements."""

from playwright.sync_api import Page

DESKTOP = {"width": 1280, "height": 800}
LAPTOP = {"width": 1366, "height": 768}  # the usual counter PC
WIDE = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
PHONE_OPTIONS = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}

PASSWORD = "Pass-word-2026"  # tests/factories.py: UserFactory.password


def page_overflow(page: Page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 = no sideways scroll)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
