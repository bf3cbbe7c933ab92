"""Which original documents a practitioner brings to the counter, from what they declared.

One rule for the printed form's list (step 2) and the counter's checklist (step 3).
"""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext_lazy as _

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


def has_employer(values: dict[str, Any]) -> bool:
    return bool((values.get("employer") or "").strip())


def originals_for(values: dict[str, Any]) -> list[Original]:
    """The originals to bring, for canonical application values (see collection.diff)."""
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
