"""Choices of the practitioner register. Labels are translated; the stored values are stable codes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    PRACTITIONER = "practitioner", _("Practitioner")
    CLERK = "clerk", _("Counter clerk")
    BUREAU_ADMIN = "bureau_admin", _("Bureau administrator")
    CITY_STAFF = "city_staff", _("City accounting section")


STAFF_ROLES = (Role.CLERK, Role.BUREAU_ADMIN, Role.CITY_STAFF)

# The fields of a practitioner's record (DESIGN §4), grouped into sections, in the order the
# record, the application form and the printed form show them. The one list: forms, the
# register file's columns (registerfile.COLUMNS) and the bulk writer are checked against it.
RECORD_SECTIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (
        "identity",
        _("Identity"),
        ("name", "gender", "ethnicity", "birth_date", "id_type", "id_number"),
    ),
    ("certificate", _("Certificate"), ("cert_number", "cert_issue_date")),
    ("education", _("Education"), ("education", "major", "school", "graduation_date")),
    (
        "title",
        _("Title and skills"),
        ("title_level", "title_cert_number", "title_date", "abacus_level", "has_computing_cert"),
    ),
    (
        "employment",
        _("Employment"),
        ("employer", "employer_credit_code", "position", "in_accounting_post"),
    ),
    ("contact", _("Contact"), ("mobile", "email", "address", "postcode")),
)
RECORD_FIELDS: tuple[str, ...] = tuple(
    f for _key, _title, fields in RECORD_SECTIONS for f in fields
)

# What a practitioner proves to activate an account: a change to any of them by anyone but the
# counter is audited with its old and new value.
CREDENTIAL_FIELDS = ("name", "id_number", "cert_number")

# What a confirmed practitioner changes at once, without the counter (audited).
CONTACT_FIELDS = ("mobile", "email", "address", "postcode")


class BureauKind(models.TextChoices):
    CITY = "city", _("City bureau")
    COUNTY = "county", _("County or district bureau")


class Gender(models.TextChoices):
    MALE = "M", _("Male")
    FEMALE = "F", _("Female")


class IdType(models.TextChoices):
    RESIDENT_ID = "resident_id", _("Resident identity card")
    PASSPORT = "passport", _("Passport")
    HMT_PERMIT = "hmt_permit", _("Hong Kong/Macao/Taiwan permit")
    MILITARY_ID = "military_id", _("Military ID")


class Education(models.TextChoices):
    DOCTORATE = "doctorate", _("Doctorate")
    MASTER = "master", _("Master's degree")
    BACHELOR = "bachelor", _("Bachelor's degree")
    JUNIOR_COLLEGE = "junior_college", _("Junior college")
    SECONDARY = "secondary", _("Secondary vocational")
    HIGH_SCHOOL = "high_school", _("High school or below")


class TitleLevel(models.TextChoices):
    NONE = "none", _("None")
    JUNIOR = "junior", _("Junior")
    INTERMEDIATE = "intermediate", _("Intermediate")
    SENIOR = "senior", _("Senior")
    PROFESSOR = "professor", _("Professor-level senior")


class AbacusLevel(models.TextChoices):
    NONE = "", _("None")
    LEVEL_5 = "5", _("Level 5")
    LEVEL_4 = "4", _("Level 4")
    LEVEL_3 = "3", _("Level 3")
    LEVEL_2 = "2", _("Level 2")
    LEVEL_1 = "1", _("Level 1")
    MASTER = "master", _("Abacus master")


class AuditAction(models.TextChoices):
    """Every kind of audit event of the project (all apps), so that each has a label."""

    VIEWED = "viewed", _("Viewed")
    CREATED = "created", _("Created")
    UPDATED = "updated", _("Updated")
    IMPORTED = "imported", _("Imported register file")
    MOVED = "moved", _("Moved to another bureau")
    EXPORTED = "exported", _("Exported register")
    AUDIT_EXPORTED = "audit_exported", _("Exported the audit trail")
    SECOND_FACTOR_ON = "second_factor_on", _("Second factor turned on")
    SECOND_FACTOR_OFF = "second_factor_off", _("Second factor turned off")
    SECOND_FACTOR_FAILED = "second_factor_failed", _("Wrong second-factor code")
    ENROLMENT_CODE_ISSUED = "enrolment_code_issued", _("Second-factor enrolment code issued")
    ENROLMENT_CODE_USED = "enrolment_code_used", _("Second-factor enrolment code used")
    ENROLMENT_CODE_REFUSED = "enrolment_code_refused", _("Second-factor enrolment code refused")
    # collection
    ACTIVATED = "account_activated", _("Account activated")
    DRAFT_SAVED = "application_draft_saved", _("Application draft saved")
    SUBMITTED = "application_submitted", _("Application submitted")
    RETURNED = "application_returned", _("Application returned")
    CONFIRMED = "application_confirmed", _("Application confirmed")
    PHOTO_UPLOADED = "photo_uploaded", _("Photo uploaded")
    RESET_CODE_ISSUED = "reset_code_issued", _("One-time code issued")
    PASSWORD_RESET = "password_reset", _("Password reset")
    # confirmation
    COUNTER_EDIT = "counter_edit", _("Corrected at the counter")
    LOOKED_UP_ELSEWHERE = "looked_up_elsewhere", _("Looked up by another bureau's counter")
    PRINT_SETTINGS = "print_settings", _("Print settings changed")
    PRINTED = "printed", _("Confirmation record printed")
    # reporting
    PLAN_FILED = "plan_filed", _("Work plan filed")
    PLAN_DECIDED = "plan_decided", _("Work plan acknowledged or returned")
    PLAN_PAPER = "plan_paper", _("Work plan's paper copy recorded")
    SHEET_SAVED = "sheet_saved", _("Progress sheet notes saved")
    SHEET_SUBMITTED = "sheet_submitted", _("Progress sheet submitted")
    SHEET_DECIDED = "sheet_decided", _("Progress sheet accepted or returned")
    BULLETIN_PUBLISHED = "bulletin_published", _("Progress bulletin published")
    CALL_LIST_EXPORTED = "call_list_exported", _("Call list exported")
    # after confirmation (information changes, on-post registration, continuing education)
    CHANGE_DRAFT_SAVED = "change_draft_saved", _("Change request draft saved")
    CHANGE_SUBMITTED = "change_submitted", _("Change request submitted")
    CHANGE_RETURNED = "change_returned", _("Change request returned")
    CHANGE_CONFIRMED = "change_confirmed", _("Change request confirmed")
    CHANGE_CLOSED = "change_closed", _("Change request closed, nothing to change")
    CONTACT_CHANGED = "contact_changed", _("Contact details changed")
    ON_POST_SUBMITTED = "on_post_submitted", _("On-post registration submitted")
    ON_POST_APPROVED = "on_post_approved", _("On-post registration approved")
    ON_POST_RETURNED = "on_post_returned", _("On-post registration returned")
    EDUCATION_SUBMITTED = "education_submitted", _("Continuing education submitted")
    EDUCATION_APPROVED = "education_approved", _("Continuing education approved")
    EDUCATION_RETURNED = "education_returned", _("Continuing education returned")
    MOVED_TO_PENDING = "moved_to_pending", _("Moved to the pending pool")
    FLAGGED_EXPORTED = "flagged_exported", _("List of business before collection exported")


# The 56 ethnic groups, in the order of GB 3304, plus the two residual categories.
ETHNIC_GROUPS = (
    "汉族",
    "蒙古族",
    "回族",
    "藏族",
    "维吾尔族",
    "苗族",
    "彝族",
    "壮族",
    "布依族",
    "朝鲜族",
    "满族",
    "侗族",
    "瑶族",
    "白族",
    "土家族",
    "哈尼族",
    "哈萨克族",
    "傣族",
    "黎族",
    "傈僳族",
    "佤族",
    "畲族",
    "高山族",
    "拉祜族",
    "水族",
    "东乡族",
    "纳西族",
    "景颇族",
    "柯尔克孜族",
    "土族",
    "达斡尔族",
    "仫佬族",
    "羌族",
    "布朗族",
    "撒拉族",
    "毛南族",
    "仡佬族",
    "锡伯族",
    "阿昌族",
    "普米族",
    "塔吉克族",
    "怒族",
    "乌孜别克族",
    "俄罗斯族",
    "鄂温克族",
    "德昂族",
    "保安族",
    "裕固族",
    "京族",
    "塔塔尔族",
    "独龙族",
    "鄂伦春族",
    "赫哲族",
    "门巴族",
    "珞巴族",
    "基诺族",
    "其他",
    "外国血统中国籍人士",
)


class Standing(models.TextChoices):
    """Where a person stands in the running campaign: the ONE vocabulary of states.

    Every page, PDF, export, notice and e-mail names a state with these labels (the
    application's status, the weekly figures' counted states and the register's column all
    take their labels from here), so that a state reads the same wherever it is shown;
    docs/glossary.md explains each word, and a test checks the two agree. It lives in the
    register's app, the lowest that knows people, so that the register list can use it too.
    """

    NOT_STARTED = "not_started", _("Not started")
    DRAFT = "draft", _("In progress")
    WAITING = "waiting", _("Waiting for the counter")
    RETURNED = "returned", _("Returned")
    CONFIRMED = "confirmed", _("Confirmed")
    PENDING = "pending", _("Pending pool")


class RegisterFigure(models.TextChoices):
    """What the register's tallies count per bureau (core.tallies)."""

    HOLDERS = "holders", _("Certificate holders")
    IN_POST = "in_post", _("In an accounting post")
    PENDING = "pending", Standing.PENDING.label
