from django.contrib.auth.models import AbstractUser, UserManager
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.tallies import TallyModel, TotalModel
from practitioners.constants import (
    STAFF_ROLES,
    AbacusLevel,
    AuditAction,
    BureauKind,
    Education,
    Gender,
    IdType,
    RegisterFigure,
    Role,
    TitleLevel,
)
from practitioners.idnumbers import agreement_errors, check_id_number, mask_id_number
from practitioners.validators import validate_credit_code, validate_mobile, validate_postcode


class Bureau(models.Model):
    """A finance bureau that issues certificates and runs a service hall (受理机构)."""

    code = models.CharField(_("division code"), max_length=6, unique=True)
    name = models.CharField(_("bureau name"), max_length=64)
    short_name = models.CharField(_("short name"), max_length=16)
    kind = models.CharField(_("kind"), max_length=10, choices=BureauKind)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent bureau"),
    )
    section_name = models.CharField(_("accounting section"), max_length=64, blank=True)
    hall_name = models.CharField(_("service hall"), max_length=64, blank=True)
    hall_address = models.CharField(_("service hall address"), max_length=128, blank=True)
    hall_phone = models.CharField(_("service hall phone"), max_length=32, blank=True)
    hall_hours = models.CharField(_("opening hours"), max_length=128, blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("bureau")
        verbose_name_plural = _("bureaus")

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"

    @property
    def is_city(self) -> bool:
        return self.kind == BureauKind.CITY


class RegistryUserManager(UserManager["User"]):
    """Django's manager, but a superuser is city staff of the city bureau: the second-factor
    rule (practitioners.twofactor) and the city's pages see it as what it is. Django's
    `createsuperuser` goes through here (a bureau-less practitioner before: its password alone
    opened the admin)."""

    def create_superuser(self, username, email=None, password=None, **extra_fields):
        extra_fields.setdefault("role", Role.CITY_STAFF)
        if extra_fields.get("bureau") is None and extra_fields.get("bureau_id") is None:
            city = Bureau.objects.filter(kind=BureauKind.CITY).order_by("code").first()
            if city is None:
                raise ValidationError(_("There is no city bureau yet: run the migrations first."))
            extra_fields["bureau"] = city
        return super().create_superuser(username, email, password, **extra_fields)


class User(AbstractUser):
    """Every person who logs in: practitioners and the staff of a bureau."""

    objects = RegistryUserManager()

    role = models.CharField(_("role"), max_length=20, choices=Role, default=Role.PRACTITIONER)
    bureau = models.ForeignKey(
        Bureau,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="staff",
        verbose_name=_("bureau"),
    )
    display_name = models.CharField(_("full name"), max_length=50, blank=True)
    # A practitioner's own contact for notices (the register's copy changes only at the counter).
    mobile = models.CharField(_("mobile"), max_length=11, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(role=Role.PRACTITIONER) | models.Q(bureau__isnull=False),
                name="staff_user_has_bureau",
                violation_error_message=_("Staff must belong to a bureau."),
            ),
        ]

    def __str__(self) -> str:
        return self.display_name or self.username

    def clean(self) -> None:
        super().clean()
        if self.role == Role.CITY_STAFF and self.bureau_id and not self.bureau.is_city:
            raise ValidationError({"bureau": _("City staff belong to the city bureau.")})

    @property
    def is_bureau_staff(self) -> bool:
        return self.is_active and self.role in STAFF_ROLES and self.bureau_id is not None


class EnrolmentCode(models.Model):
    """A one-time code without which an account that must use a second factor cannot set one
    up (practitioners.twofactor): issued by another city administrator, or by the operator's
    `issue_enrolment_code` command for the first one. Shown once and kept only as a keyed hash;
    it expires, works once, and a few wrong tries spend it."""

    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="enrolment_codes", verbose_name=_("account")
    )
    digest = models.CharField(_("digest"), max_length=64, unique=True, editable=False)
    issued_by = models.ForeignKey(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("issued by"),
    )
    created_at = models.DateTimeField(_("issued"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    used_at = models.DateTimeField(_("used"), null=True, blank=True)
    failed_tries = models.PositiveSmallIntegerField(_("wrong tries"), default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("enrolment code")
        verbose_name_plural = _("enrolment codes")

    def __str__(self) -> str:
        return f"enrolment code for user {self.user_id} issued {self.created_at:%Y-%m-%d %H:%M}"

    # How many wrong codes spend the account's valid one (practitioners.twofactor).
    TRIES = 5

    @property
    def state(self) -> str:
        """Used, expired (or replaced), spent by wrong tries, or still valid."""
        if self.used_at is not None:
            return str(_("Used"))
        if self.expires_at <= timezone.now():
            return str(_("Expired"))
        if self.failed_tries >= self.TRIES:
            return str(_("Too many wrong tries"))
        return str(_("Valid"))


class Practitioner(models.Model):
    """One holder of an accounting qualification certificate (DESIGN §4)."""

    bureau = models.ForeignKey(
        Bureau,
        on_delete=models.PROTECT,
        related_name="practitioners",
        verbose_name=_("issuing bureau"),
    )
    account = models.OneToOneField(
        User,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="practitioner",
        verbose_name=_("login account"),
    )
    # Identity
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=1, choices=Gender)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    birth_date = models.DateField(_("date of birth"), null=True, blank=True)
    id_type = models.CharField(
        _("ID type"), max_length=20, choices=IdType, default=IdType.RESIDENT_ID
    )
    id_number = models.CharField(_("ID number"), max_length=20, unique=True)
    # Certificate
    cert_number = models.CharField(_("certificate number"), max_length=30, unique=True)
    cert_issue_date = models.DateField(_("certificate issue date"), null=True, blank=True)
    # Education
    education = models.CharField(_("education"), max_length=20, choices=Education, blank=True)
    major = models.CharField(_("major"), max_length=64, blank=True)
    school = models.CharField(_("school"), max_length=64, blank=True)
    graduation_date = models.DateField(_("graduation date"), null=True, blank=True)
    # Title and skills
    title_level = models.CharField(
        _("professional title"), max_length=20, choices=TitleLevel, default=TitleLevel.NONE
    )
    title_cert_number = models.CharField(_("title certificate number"), max_length=30, blank=True)
    title_date = models.DateField(_("title date"), null=True, blank=True)
    abacus_level = models.CharField(
        _("abacus level"), max_length=10, choices=AbacusLevel, blank=True, default=AbacusLevel.NONE
    )
    has_computing_cert = models.BooleanField(
        _("computerised accounting certificate"), default=False
    )
    # Employment
    employer = models.CharField(_("employer"), max_length=100, blank=True)
    employer_credit_code = models.CharField(
        _("employer credit code"), max_length=18, blank=True, validators=[validate_credit_code]
    )
    position = models.CharField(_("position"), max_length=32, blank=True)
    in_accounting_post = models.BooleanField(_("in an accounting post"), default=False)
    # Contact
    mobile = models.CharField(_("mobile"), max_length=11, blank=True, validators=[validate_mobile])
    email = models.EmailField(_("email"), max_length=100, blank=True)
    address = models.CharField(_("postal address"), max_length=200, blank=True)
    postcode = models.CharField(
        _("postcode"), max_length=6, blank=True, validators=[validate_postcode]
    )
    # Set by the counter when the collected information is confirmed (step 3).
    confirmed_at = models.DateTimeField(_("confirmed at"), null=True, blank=True)
    # Set when the record was moved to the pending pool (待处理库) after a campaign's deadline
    # without a confirmed collection; cleared when the counter confirms one (step 7).
    pending_since = models.DateTimeField(_("in the pending pool since"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now, editable=False)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now, editable=False)

    class Meta:
        ordering = ["bureau_id", "name", "id"]
        verbose_name = _("practitioner")
        verbose_name_plural = _("practitioners")
        indexes = [
            models.Index(fields=["bureau", "name", "id"], name="practitioner_bureau_name"),
            # Name prefix search across bureaus (city staff); LIKE 'x%' needs pattern ops on PG.
            models.Index(
                fields=["name"], name="practitioner_name_prefix", opclasses=["varchar_pattern_ops"]
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(gender__in=Gender.values), name="practitioner_gender_valid"
            ),
            models.CheckConstraint(
                condition=models.Q(id_type__in=IdType.values), name="practitioner_id_type_valid"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.masked_id_number})"

    def clean(self) -> None:
        """One-row rules: the ID number is valid for its type and agrees with birth date and gender."""
        super().clean()
        check = check_id_number(self.id_number, self.id_type)
        self.id_number = check.number
        if not check.ok:
            raise ValidationError({"id_number": check.errors})
        errors = agreement_errors(check, birth_date=self.birth_date, gender=self.gender or None)
        if errors:
            raise ValidationError(errors)

    @property
    def masked_id_number(self) -> str:
        return mask_id_number(self.id_number)

    @property
    def is_pending(self) -> bool:
        return self.pending_since is not None

    @classmethod
    def field_label(cls, name: str) -> str:
        """The label people read for one of the record's columns, in the active language. A
        reverse relation (an application, a registration) is no column and has no label."""
        field = cls._meta.get_field(name)
        if not isinstance(field, models.Field):
            raise FieldDoesNotExist(f"{name!r} is not a column of the record")
        return str(field.verbose_name)


class AuditEvent(models.Model):
    """Who did what to which record, and when. Written by services only; never edited or
    deleted (practitioners.auditchain seals each event and chains them; on PostgreSQL a trigger
    refuses a change or a removal).

    The references keep the id they were written with, whatever becomes of the account, the
    bureau or the person (no database constraint, nothing done on their deletion): an event is
    never rewritten, and it still says who acted."""

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("actor"),
    )
    # No `choices`: every app adds actions to AuditAction, and that needs no migration.
    action = models.CharField(_("action"), max_length=40)
    bureau = models.ForeignKey(
        Bureau,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("bureau"),
    )
    practitioner = models.ForeignKey(
        Practitioner,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        null=True,
        blank=True,
        related_name="audit_events",
        verbose_name=_("practitioner"),
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    # The client's address for events written while serving a request (None: a command).
    address = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    # practitioners.auditchain: the keyed SM3 hash of the content, written with the event; the
    # place in the chain and the chained hash, written once by the sealer.
    mac = models.CharField(_("seal"), max_length=64, blank=True, default="")
    seq = models.PositiveBigIntegerField(
        _("place in the chain"), null=True, blank=True, unique=True
    )
    chain = models.CharField(_("chained seal"), max_length=64, blank=True, default="")

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["id"], condition=models.Q(seq__isnull=True), name="audit_unsealed")
        ]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"

    @property
    def action_label(self) -> str:
        try:
            return str(AuditAction(self.action).label)
        except ValueError:
            return self.action


class RegisterTotal(TotalModel):
    """A bureau's number of holders (or of those in an accounting post) now."""

    bureau = models.ForeignKey(Bureau, on_delete=models.CASCADE, related_name="+")
    figure = models.CharField(max_length=12, choices=RegisterFigure)

    class Meta:
        verbose_name = _("register total")
        verbose_name_plural = _("register totals")
        constraints = [
            models.UniqueConstraint(fields=["bureau", "figure"], name="register_total_key")
        ]

    def __str__(self) -> str:
        return f"{self.bureau_id} {self.figure} {self.count}"


class RegisterTally(TallyModel):
    """How a bureau's count of holders (and of those in an accounting post) changed in one
    hour: the register's figures as of any hour are sums of these (core.tallies)."""

    TALLY_KEY = ("bureau", "figure", "hour")
    TOTALS = RegisterTotal

    bureau = models.ForeignKey(Bureau, on_delete=models.CASCADE, related_name="+")
    figure = models.CharField(max_length=12, choices=RegisterFigure)

    class Meta:
        verbose_name = _("register tally")
        verbose_name_plural = _("register tallies")
        constraints = [
            models.UniqueConstraint(fields=["bureau", "figure", "hour"], name="register_tally_key")
        ]

    def __str__(self) -> str:
        return f"{self.bureau_id} {self.figure} {self.hour:%Y-%m-%d %H}h {self.delta:+d}"
