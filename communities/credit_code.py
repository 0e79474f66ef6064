"""Unified social credit code (统一社会信用代码), GB 32100-2015.

18 characters: registration authority (1), organisation type (1), administrative division (6),
organisation code (9) and a check character computed modulo 31 over the first 17.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# The standard's alphabet: digits and upper-case letters without I, O, Z, S, V.
ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)


def check_character(first17: str) -> str:
    total = sum(ALPHABET.index(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True))
    return ALPHABET[(31 - total % 31) % 31]


def is_valid(code: str) -> bool:
    if not isinstance(code, str) or len(code) != 18:
        return False
    code = code.upper()
    if any(ch not in ALPHABET for ch in code):
        return False
    return check_character(code[:17]) == code[17]


def validate_credit_code(value: str) -> None:
    if not isinstance(value, str) or len(value) != 18:
        raise ValidationError(_("A unified social credit code has exactly 18 characters."), code="length")
    if any(ch not in ALPHABET for ch in value.upper()):
        raise ValidationError(
            _("A unified social credit code uses digits and capital letters except I, O, Z, S and V."),
            code="alphabet",
        )
    if not is_valid(value):
        raise ValidationError(_("The check character of this unified social credit code is wrong."), code="check")


def make_code(first17: str) -> str:
    """Complete a 17-character prefix with its check character (demo data and tests)."""
    return first17 + check_character(first17)
