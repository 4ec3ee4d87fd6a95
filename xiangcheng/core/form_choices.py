"""Choices every copy of a form shares.

Django makes each form's fields by deep-copying its class's, and a choice field's list of
choices is copied with it, label by label: about 600 Python calls a request for a form choosing
among the fields of science, the cities and its purposes. Choices given as a callable are copied
as a reference. ``shared(choices)`` is such a callable, for fixed choices: an enumeration's,
whose labels are the code's and its translations' (they stay lazy, so each request still gets
her language). A kept form's version names them by their values alone (``fragments``): the
labels change only with a release, which every kept fragment's key names.
"""

from collections.abc import Iterable


class SharedChoices:
    """Fixed choices as a callable answering the same list every time."""

    def __init__(self, choices: Iterable):
        self._choices = list(choices)
        self.version = ("shared", tuple(value for value, _label in self._choices))

    def __call__(self) -> list:
        return self._choices

    def __deepcopy__(self, memo) -> "SharedChoices":
        return self  # fixed: every copy of a form shares them


def shared(choices: Iterable) -> SharedChoices:
    return SharedChoices(choices)


def choices_version(field) -> tuple:
    """What a form field's choices show, for a kept form's version: each value and its label, or
    for shared choices their values."""
    choices = getattr(field, "choices", ())
    func = getattr(choices, "func", None)  # Django keeps callable choices as an iterator over func()
    if isinstance(func, SharedChoices):
        return func.version
    return tuple((value, str(label)) for value, label in choices)
