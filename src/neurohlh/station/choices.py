"""Django's ``TextChoices`` as type checkers should see it.

Django ships no type information, so a type checker reads ``READER = "reader", "Reader"`` as a tuple. At run time
the members are ``str`` enum members (``Role.READER == "reader"``); this module gives type checkers that same view,
so the station's code passes its members where strings are expected without per-line exceptions.
"""
from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    class TextChoices(StrEnum):
        """Type-checking view of :class:`django.db.models.TextChoices` (members are strings with a label)."""

        choices: ClassVar[list[tuple[str, str]]]
        values: ClassVar[list[str]]
        labels: ClassVar[list[str]]

        @property
        def label(self) -> str: ...
else:
    from django.db.models import TextChoices

__all__ = ["TextChoices"]
