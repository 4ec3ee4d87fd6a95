"""The unified social credit code (统一社会信用代码) an organisation registers with."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# GB 32100-2015: 18 characters from these 31 (no I, O, S, V, Z); the last is a check character.
CODE_CHARACTERS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
CODE_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def credit_code_check_character(first17: str) -> str:
    total = sum(CODE_CHARACTERS.index(c) * w for c, w in zip(first17, CODE_WEIGHTS, strict=True))
    return CODE_CHARACTERS[(31 - total % 31) % 31]


def credit_code_normalised(value: str) -> str:
    """As people type it: spaces and lower case allowed."""
    return "".join(value.split()).upper()


def credit_code_check(value: str) -> None:
    """Raise a translated ``ValidationError`` unless ``value`` is a valid unified social credit code."""
    if len(value) != 18:
        raise ValidationError(_("A unified social credit code has 18 characters."), code="length")
    if any(c not in CODE_CHARACTERS for c in value):
        raise ValidationError(_("A unified social credit code uses only digits and capital letters "
                                "other than I, O, S, V and Z."), code="characters")
    if credit_code_check_character(value[:17]) != value[17]:
        raise ValidationError(_("This unified social credit code is not valid: its last character does "
                                "not match. Please check it against the business licence."), code="check")
