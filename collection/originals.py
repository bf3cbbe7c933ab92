"""Which original documents a practitioner brings to the counter, from what they declared
(a collection) or from what they change (an information change).

One rule for the printed form's list (step 2), the practitioner's page and the counter's
checklist (step 3).
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

from collection.constants import IDENTITY_FIELDS, ApplicationKind
from practitioners.constants import TitleLevel


@dataclass(frozen=True)
class Original:
    key: str
    label: str


SEALED_FORM = Original("sealed_form", _("Application form with the employer's seal"))
UNSEALED_FORM = Original("form", _("Application form (no employer: no seal needed)"))
CERTIFICATE = Original("certificate", _("Accounting qualification certificate"))
ID_CARD = Original("id_card", _("ID card"))
GRADUATION = Original("graduation", _("Graduation certificate"))
TITLE = Original("title", _("Professional title certificate"))
ABACUS = Original("abacus", _("Abacus certificate"))
COMPUTING = Original("computing", _("Computerised accounting certificate"))
SEALED_CHANGE_FORM = Original("sealed_change_form", _("Change form with the (new) employer's seal"))
CHANGE_FORM = Original("change_form", _("Change form, signed"))

# Which changed fields need which original: the change form always; the employer's seal when
# the employment changes; the ID card and the certificate (whose record is reprinted) when an
# identity field changes; each certificate when its own data change.
_CHANGE_ORIGINALS = (
    (frozenset(IDENTITY_FIELDS) | {"ethnicity"}, (ID_CARD, CERTIFICATE)),
    (frozenset({"cert_issue_date"}), (CERTIFICATE,)),
    (frozenset({"education", "major", "school", "graduation_date"}), (GRADUATION,)),
    (frozenset({"title_level", "title_cert_number", "title_date"}), (TITLE,)),
    (frozenset({"abacus_level"}), (ABACUS,)),
    (frozenset({"has_computing_cert"}), (COMPUTING,)),
)
_EMPLOYMENT = frozenset({"employer", "employer_credit_code", "position", "in_accounting_post"})


def has_employer(values: dict[str, Any]) -> bool:
    return bool((values.get("employer") or "").strip())


def originals_for(
    values: dict[str, Any],
    *,
    kind: str = ApplicationKind.COLLECTION,
    changed: frozenset[str] | set[str] = frozenset(),
) -> list[Original]:
    """The originals to bring, for canonical application values (see collection.diff); for an
    information change, only those that the changed fields need."""
    if kind == ApplicationKind.CHANGE:
        return _for_change(values, set(changed))
    needed = [SEALED_FORM if has_employer(values) else UNSEALED_FORM, CERTIFICATE, ID_CARD]
    if values.get("education"):
        needed.append(GRADUATION)
    if values.get("title_level") not in (None, "", TitleLevel.NONE):
        needed.append(TITLE)
    if values.get("abacus_level"):
        needed.append(ABACUS)
    if values.get("has_computing_cert"):
        needed.append(COMPUTING)
    return needed


def _for_change(values: dict[str, Any], changed: set[str]) -> list[Original]:
    needed = [SEALED_CHANGE_FORM if changed & _EMPLOYMENT and has_employer(values) else CHANGE_FORM]
    for fields, originals in _CHANGE_ORIGINALS:
        if changed & fields:
            needed += [o for o in originals if o not in needed]
    return needed
