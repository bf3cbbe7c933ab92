"""Choices of the practitioner register. Labels are translated; the stored values are stable codes."""

import functools

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext, pgettext_lazy


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
    SIGNED_OUT_IDLE = "signed_out_idle", _("Signed out after inactivity")
    STAFF_DISABLED_UNUSED = "staff_disabled_unused", _("Unused staff account disabled")
    SUPERUSER_LOGIN = "superuser_login", _("Superuser logged in")
    ADMIN_CHANGE = "admin_change", _("Changed in the admin")
    RETENTION_DELETED = "retention_deleted", _("Deleted at the end of its retention period")
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
    DATA_DOWNLOADED = "data_downloaded", _("Own data downloaded")
    ON_POST_SUBMITTED = "on_post_submitted", _("On-post registration submitted")
    ON_POST_APPROVED = "on_post_approved", _("On-post registration approved")
    ON_POST_RETURNED = "on_post_returned", _("On-post registration returned")
    EDUCATION_SUBMITTED = "education_submitted", _("Continuing education submitted")
    EDUCATION_APPROVED = "education_approved", _("Continuing education approved")
    EDUCATION_RETURNED = "education_returned", _("Continuing education returned")
    MOVED_TO_PENDING = "moved_to_pending", _("Moved to the pending pool")
    FLAGGED_EXPORTED = "flagged_exported", _("List of business before collection exported")


# The 56 ethnic groups, in the order of GB 3304, plus the two residual categories: the stored
# value is the Chinese name (as the register file and the ID card write it), the label is translated.
ETHNIC_NAMES = {
    "汉族": pgettext_lazy("ethnic group", "Han"),
    "蒙古族": pgettext_lazy("ethnic group", "Mongol"),
    "回族": pgettext_lazy("ethnic group", "Hui"),
    "藏族": pgettext_lazy("ethnic group", "Tibetan"),
    "维吾尔族": pgettext_lazy("ethnic group", "Uyghur"),
    "苗族": pgettext_lazy("ethnic group", "Miao"),
    "彝族": pgettext_lazy("ethnic group", "Yi"),
    "壮族": pgettext_lazy("ethnic group", "Zhuang"),
    "布依族": pgettext_lazy("ethnic group", "Bouyei"),
    "朝鲜族": pgettext_lazy("ethnic group", "Korean"),
    "满族": pgettext_lazy("ethnic group", "Manchu"),
    "侗族": pgettext_lazy("ethnic group", "Dong"),
    "瑶族": pgettext_lazy("ethnic group", "Yao"),
    "白族": pgettext_lazy("ethnic group", "Bai"),
    "土家族": pgettext_lazy("ethnic group", "Tujia"),
    "哈尼族": pgettext_lazy("ethnic group", "Hani"),
    "哈萨克族": pgettext_lazy("ethnic group", "Kazakh"),
    "傣族": pgettext_lazy("ethnic group", "Dai"),
    "黎族": pgettext_lazy("ethnic group", "Li"),
    "傈僳族": pgettext_lazy("ethnic group", "Lisu"),
    "佤族": pgettext_lazy("ethnic group", "Va"),
    "畲族": pgettext_lazy("ethnic group", "She"),
    "高山族": pgettext_lazy("ethnic group", "Gaoshan"),
    "拉祜族": pgettext_lazy("ethnic group", "Lahu"),
    "水族": pgettext_lazy("ethnic group", "Sui"),
    "东乡族": pgettext_lazy("ethnic group", "Dongxiang"),
    "纳西族": pgettext_lazy("ethnic group", "Naxi"),
    "景颇族": pgettext_lazy("ethnic group", "Jingpo"),
    "柯尔克孜族": pgettext_lazy("ethnic group", "Kyrgyz"),
    "土族": pgettext_lazy("ethnic group", "Tu"),
    "达斡尔族": pgettext_lazy("ethnic group", "Daur"),
    "仫佬族": pgettext_lazy("ethnic group", "Mulao"),
    "羌族": pgettext_lazy("ethnic group", "Qiang"),
    "布朗族": pgettext_lazy("ethnic group", "Blang"),
    "撒拉族": pgettext_lazy("ethnic group", "Salar"),
    "毛南族": pgettext_lazy("ethnic group", "Maonan"),
    "仡佬族": pgettext_lazy("ethnic group", "Gelao"),
    "锡伯族": pgettext_lazy("ethnic group", "Xibe"),
    "阿昌族": pgettext_lazy("ethnic group", "Achang"),
    "普米族": pgettext_lazy("ethnic group", "Pumi"),
    "塔吉克族": pgettext_lazy("ethnic group", "Tajik"),
    "怒族": pgettext_lazy("ethnic group", "Nu"),
    "乌孜别克族": pgettext_lazy("ethnic group", "Uzbek"),
    "俄罗斯族": pgettext_lazy("ethnic group", "Russian"),
    "鄂温克族": pgettext_lazy("ethnic group", "Evenki"),
    "德昂族": pgettext_lazy("ethnic group", "De'ang"),
    "保安族": pgettext_lazy("ethnic group", "Bonan"),
    "裕固族": pgettext_lazy("ethnic group", "Yugur"),
    "京族": pgettext_lazy("ethnic group", "Gin"),
    "塔塔尔族": pgettext_lazy("ethnic group", "Tatar"),
    "独龙族": pgettext_lazy("ethnic group", "Derung"),
    "鄂伦春族": pgettext_lazy("ethnic group", "Oroqen"),
    "赫哲族": pgettext_lazy("ethnic group", "Hezhen"),
    "门巴族": pgettext_lazy("ethnic group", "Monba"),
    "珞巴族": pgettext_lazy("ethnic group", "Lhoba"),
    "基诺族": pgettext_lazy("ethnic group", "Jino"),
    "其他": pgettext_lazy("ethnic group", "Other"),
    "外国血统中国籍人士": pgettext_lazy("ethnic group", "Chinese citizen of foreign origin"),
}
ETHNIC_GROUPS = tuple(ETHNIC_NAMES)


def ethnic_name(value: str) -> str:
    """An ethnic group as the reader reads it (the stored Chinese name if it is none of them)."""
    return str(ETHNIC_NAMES.get(value, value))


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


class ReturnReason(models.TextChoices):
    """Standard reasons the counter returns an application for; a note may follow. Stored in the
    return's text as the clerk read it ("label：note"); `return_reason_as_read` shows it in the
    reader's language."""

    PHOTO = "photo", _("The photo does not meet the requirements")
    SEAL = "seal", _("The form lacks the employer's seal")
    ORIGINALS = "originals", _("Originals missing or not matching")
    IDENTITY = "identity", _("Identity data do not match the ID card")
    EDUCATION = "education", _("Education data do not match the certificate")
    OTHER = "other", _("Other (see the note)")


def join_return_reason(label: str, note: str) -> str:
    """How a return's text is written: the standard reason, then the clerk's note."""
    if not note:
        return label
    return pgettext("a standard reason and the clerk's note", "%(reason)s: %(note)s") % {
        "reason": label,
        "note": note,
    }


def return_reason_as_read(text: str) -> str:
    """A return's reason as stored (the standard reason in the clerk's language, then the
    clerk's note) in the reader's language; the note, and a reason typed in full, as typed."""
    text = text or ""
    for separator in ("：", ": "):
        head, found, note = text.partition(separator)
        code = _written_reasons().get(head.strip()) if found else None
        if code is not None:
            return join_return_reason(str(ReturnReason(code).label), note.strip())
    code = _written_reasons().get(text.strip())
    return str(ReturnReason(code).label) if code is not None else text


@functools.cache
def _written_reasons() -> dict[str, str]:
    from core.languages import in_every_language

    return in_every_language(ReturnReason.choices)
