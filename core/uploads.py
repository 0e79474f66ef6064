"""The one upload validator (SPEC §8): every photo in the product passes through `validate_image`.

A file is accepted only if Pillow decodes it as JPEG, PNG or WebP: the name and the declared content
type are ignored. Limits: 10 MB and 40 megapixels. Oversized files raise `UploadTooLarge` (HTTP 413);
anything else raises `InvalidUpload` (HTTP 400). Both messages name the file.
"""

from __future__ import annotations

import warnings

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

MAX_BYTES = 10 * 1024 * 1024
MAX_PIXELS = 40_000_000
ALLOWED_FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}


class InvalidUpload(Exception):
    status_code = 400

    def __init__(self, filename: str, message: str) -> None:
        super().__init__(message)
        self.filename = filename
        self.message = message


class UploadTooLarge(InvalidUpload):
    status_code = 413


def validate_image(upload: UploadedFile) -> str:
    """Check one uploaded file; return its canonical extension (jpg, png or webp).

    Reads the header to learn the format and size, then decodes the pixels fully so a truncated or
    corrupt file is refused here, not when someone opens it later. Leaves the file at position 0.
    """
    name = getattr(upload, "name", "") or "upload"
    if upload.size is not None and upload.size > MAX_BYTES:
        raise UploadTooLarge(name, _("%(name)s is larger than 10 MB.") % {"name": name})
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(upload) as image:
                fmt = image.format
                width, height = image.size
                if fmt not in ALLOWED_FORMATS:
                    raise InvalidUpload(name, _("%(name)s is not a JPEG, PNG or WebP image.") % {"name": name})
                if width * height > MAX_PIXELS:
                    raise UploadTooLarge(name, _("%(name)s has more than 40 megapixels.") % {"name": name})
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise UploadTooLarge(name, _("%(name)s has more than 40 megapixels.") % {"name": name}) from None
    except InvalidUpload:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise InvalidUpload(name, _("%(name)s is not a JPEG, PNG or WebP image.") % {"name": name}) from None
    finally:
        upload.seek(0)
    return ALLOWED_FORMATS[fmt]


def validate_images(uploads: list[UploadedFile], *, max_count: int = 6) -> list[str]:
    """Validate a batch (all before anything is saved); refuse more than `max_count` files."""
    if len(uploads) > max_count:
        raise InvalidUpload("", _("At most %(n)d photos may be attached.") % {"n": max_count})
    return [validate_image(u) for u in uploads]
