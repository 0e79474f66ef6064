from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class TimeStampedModel(models.Model):
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    class Meta:
        abstract = True


class User(AbstractUser):
    """Everyone who signs in: officials, staff, committee members, mediators and residents.

    What a user may see is decided by their role assignments (communities.RoleAssignment),
    never by flags on the user.
    """

    display_name = models.CharField(_("name"), max_length=50, blank=True)
    phone = models.CharField(_("mobile phone"), max_length=20, blank=True)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username
