"""Words stored in the writer's language, read in the reader's.

A few things keep words as they were shown when they were written: a history entry keeps the
values a change showed ("男", "是"), a return keeps the standard reason the clerk chose
("照片不符合要求：…"). A clerk works in Chinese; a practitioner may read in English. Read back
through `in_every_language`, such a word is recognised in any of the site's languages and shown
in the reader's, while anything people typed stays as typed.
"""

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import translation


def in_every_language(choices: Iterable[tuple[Any, Any]]) -> dict[str, Any]:
    """{a label as any of the site's languages writes it: its value}, for (value, lazy label)
    pairs; a value written as its own code is read too."""
    pairs = list(choices)
    known: dict[str, Any] = {}
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            known.update((str(label), value) for value, label in pairs)
    known.update((str(value), value) for value, _label in pairs if isinstance(value, str))
    return known
