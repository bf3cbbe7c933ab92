"""What the browser tests share besides fixtures: viewport sizes and page measurements."""

from playwright.sync_api import Page

DESKTOP = {"width": 1280, "height": 800}
LAPTOP = {"width": 1366, "height": 768}  # the usual counter PC
WIDE = {"width": 1920, "height": 1080}
PHONE = {"width": 390, "height": 844}
PHONE_OPTIONS = {"is_mobile": True, "has_touch": True, "device_scale_factor": 2}

PASSWORD = "Pass-word-2026"  # tests/factories.py: UserFactory.password

# Debian's Chromium, headless, as root, on a machine with no internet: without the
# background-networking flags it tries Google's hosts at every start.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=zh-CN",  # the browser's own controls (date fields, file pickers) as in China
]


def page_overflow(page: Page) -> int:
    """How many CSS pixels the document is wider than the viewport (0 = no sideways scroll)."""
    return page.evaluate(
        "document.documentElement.scrollWidth - document.documentElement.clientWidth"
    )
