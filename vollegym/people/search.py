"""Finding people the way staff type them: a name without caring for capitals or accents, an e-mail, a phone
number in any form (0612345678, 06-12345678, +31 6 12 34 56 78, 0031612345678) or a part of one (12345678).

Leads and members keep who they are on their person, so both lists search through `person`.
"""

from __future__ import annotations

import re
import unicodedata
from typing import Any, TypeVar

from django.db import models
from django.db.models import CharField, F, Func, Q, QuerySet, Value
from django.db.models.functions import Lower

from vollegym.core.phones import normalise_phone

_M = TypeVar("_M", bound=models.Model)

# Letters with accents (and Turkish letters) as they occur in Dutch studios' member lists, each with its plain
# letter: "Chloë", "Loïs", "Özdemir", "Şahin", "Yılmaz". The same pairs fold the stored name (in SQL) and what was
# typed (in Python), so the two always agree, on PostgreSQL (whatever its collation) and on SQLite alike.
_ACCENTED = "àáâãäåāçćčèéêëēėěìíîïīıñńňòóôõöøōùúûüūýÿşśšğžźżÀÁÂÃÄÅĀÇĆČÈÉÊËĒĖĚÌÍÎÏĪİÑŃŇÒÓÔÕÖØŌÙÚÛÜŪÝŸŞŚŠĞŽŹŻ"
_PLAIN = "".join(
    {"ı": "i", "ø": "o", "Ø": "o"}.get(c) or unicodedata.normalize("NFKD", c)[0].lower() for c in _ACCENTED
)
_TABLE = str.maketrans(_ACCENTED, _PLAIN)

# Typed characters that still read as a phone number: digits and the ways people group them.
_PHONE_LIKE = re.compile(r"[\d\s+\-().]+")
# A shorter run of digits matches too much to be a search for a number.
MIN_PHONE_DIGITS = 3
SQLITE_FOLD = "vollegym_fold"


def fold(text: str) -> str:
    """ "Chloë Özdemir" → "chloe ozdemir": lower case, accents off."""
    return text.translate(_TABLE).lower()


class Folded(Func):
    """A text column lower-cased with its accents off, in SQL: the database side of `fold`."""

    output_field = CharField()

    def __init__(self, expression: Any) -> None:
        super().__init__(expression)

    def as_sql(  # PostgreSQL (and any other database with TRANSLATE)
        self,
        compiler: Any,
        connection: Any,
        function: str | None = None,
        template: str | None = None,
        arg_joiner: str | None = None,
        **extra_context: Any,
    ) -> Any:
        translated = Func(
            self.source_expressions[0],
            Value(_ACCENTED),
            Value(_PLAIN),
            function="TRANSLATE",
            output_field=CharField(),
        )
        return compiler.compile(Lower(translated))

    def as_sqlite(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        # SQLite has no TRANSLATE, its LOWER knows only ASCII, and a REPLACE per letter overflows its parser: the
        # fold itself, registered on every SQLite connection (people/apps.py).
        return compiler.compile(
            Func(self.source_expressions[0], function=SQLITE_FOLD, output_field=CharField())
        )


def sqlite_fold(value: str | None) -> str | None:
    return None if value is None else fold(value)


def _phone_q(typed: str, via: str) -> Q | None:
    """The whole number, normalised, matches exactly; a part matches the digits (a leading 0 or 00 read as Dutch
    or international); the number as typed matches a person whose number never was valid."""
    if not _PHONE_LIKE.fullmatch(typed):
        return None
    digits = re.sub(r"\D", "", typed)
    if len(digits) < MIN_PHONE_DIGITS:
        return None
    as_given = Q(**{f"{via}__phone": "", f"{via}__phone_as_given__icontains": typed})
    e164 = normalise_phone(typed).e164
    if e164:
        return Q(**{f"{via}__phone": e164}) | as_given
    if typed.lstrip().startswith("+"):
        part = Q(**{f"{via}__phone__startswith": f"+{digits}"})
    elif digits.startswith("00"):
        part = Q(**{f"{via}__phone__startswith": f"+{digits[2:]}"})
    elif digits.startswith("0"):
        part = Q(**{f"{via}__phone__startswith": f"+31{digits[1:]}"})
    else:
        part = Q(**{f"{via}__phone__contains": digits})
    return part | as_given


def people_search(queryset: QuerySet[_M], typed: str, *, via: str = "person") -> QuerySet[_M]:
    """The rows whose person (reached through `via`) matches what was typed; everything when nothing was typed.

    A phone number (whole or in part) searches phones; anything with an @ searches e-mail addresses; other text
    searches names (every word must occur, in any order, capitals and accents ignored) and e-mail addresses.
    """
    typed = " ".join(typed.split())[:100]
    if not typed:
        return queryset
    phone = _phone_q(typed, via)
    if phone is not None:
        return queryset.filter(phone)
    if "@" in typed:
        return queryset.filter(**{f"{via}__email__icontains": typed.lower()})
    words = Q()
    for word in fold(typed).split():
        words &= Q(_folded_name__contains=word)
    found: QuerySet[_M] = queryset.annotate(_folded_name=Folded(F(f"{via}__name"))).filter(
        words | Q(**{f"{via}__email__icontains": typed.lower()})
    )
    return found
