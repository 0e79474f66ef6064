"""Identity numbers of owners: the resident identity card number (GB 11643-1999) and its digest.

Only the SHA-256 digest of an owner's number is stored (`Owner.id_number_hash`): it tells that two
units belong to the same buyer (one head in an owners' vote) without keeping the number itself.
An organisation owning units is identified by its unified social credit code in the same column.
"""

import hashlib

from communities import credit_code

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK = "10X98765432"


def resident_id_check(first17: str) -> str:
    return CHECK[sum(int(ch) * w for ch, w in zip(first17, WEIGHTS, strict=True)) % 11]


def is_valid_resident_id(number: str) -> bool:
    number = number.strip().upper()
    return len(number) == 18 and number[:17].isdigit() and resident_id_check(number[:17]) == number[17]


def normalise(number: str) -> str:
    return number.strip().replace(" ", "").upper()


def is_valid_owner_number(number: str) -> bool:
    """A resident ID (18 characters with its check digit) or an organisation's credit code."""
    number = normalise(number)
    return is_valid_resident_id(number) or credit_code.is_valid(number)


def digest(number: str) -> str:
    return hashlib.sha256(normalise(number).encode()).hexdigest()


def make_resident_id(first17: str) -> str:
    """Complete a 17-digit prefix with its check character (demo data and tests)."""
    return first17 + resident_id_check(first17)
