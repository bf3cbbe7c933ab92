"""Signals the register sends to the apps above it (practitioners is the bottom of the stack)."""

from django.dispatch import Signal

# Sent by the register import inside its transaction, after the rows are written, with
# `records`: {practitioner id: {"on_post_since": date | None, "education_hours": [(year, hours)],
# "employer": str, "position": str}} for the rows that carried business done before the system
# (registerfile.EARLIER_COLUMNS), and `actor`. A receiver returns how many records it wrote.
earlier_records_imported = Signal()
