"""State changes of progress reporting, one module per subject: work plans (plans), weekly sheets
(sheets), bulletins (publishing), call lists (call_lists); refusals in common.

Each is one atomic function that takes the acting user, checks the permission and the current
status, writes its audit event and leaves the rest to the caller.
"""

from reporting.services.call_lists import CALL_LIST_FORMATS, export_call_list
from reporting.services.common import ChangedMeanwhile, ReportingError
from reporting.services.plans import decide_work_plan, file_work_plan, record_plan_paper
from reporting.services.publishing import preview_bulletin, publish_bulletin
from reporting.services.sheets import (
    check_submittable,
    decide_sheet,
    empty_notes,
    freeze_week,
    generate_progress_sheets,
    save_sheet_notes,
    sheet_for,
    submit_sheet,
)

__all__ = [
    "CALL_LIST_FORMATS",
    "ChangedMeanwhile",
    "ReportingError",
    "check_submittable",
    "decide_sheet",
    "empty_notes",
    "decide_work_plan",
    "export_call_list",
    "file_work_plan",
    "freeze_week",
    "generate_progress_sheets",
    "preview_bulletin",
    "publish_bulletin",
    "record_plan_paper",
    "save_sheet_notes",
    "sheet_for",
    "submit_sheet",
]
