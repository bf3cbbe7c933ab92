"""Path converters shared by the apps' URL configurations.

Django's `<int:>` takes any run of digits, and a number beyond 64 bits reaches the database:
SQLite cannot bind it (OverflowError, a server error) where PostgreSQL finds nothing. The
records' identifiers are 64-bit integers (BigAutoField), so `<id:>` takes at most 18 digits,
every identifier the registry will ever hand out, and a longer number matches no URL (404).
Importing this module registers it.
"""

from django.urls import register_converter

# 18 digits: below 2**63 - 1 (19 digits), the largest a 64-bit column holds.
ID_DIGITS = r"[0-9]{1,18}"


class RecordIdConverter:
    regex = ID_DIGITS

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value) -> str:
        return str(value)


register_converter(RecordIdConverter, "id")
