"""Portal forms. They parse input; the services decide and write."""

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from communities import selectors
from communities.models import PropertyCompany, RoleAssignment


class RosterImportForm(forms.Form):
    file = forms.FileField(label=_("Workbook (.xlsx)"))


class AccountForm(forms.Form):
    """One field `place` carries the scope as "community:12", "subdistrict:3", "compound:9" or "company:4"."""

    ROLES = [
        (RoleAssignment.Role.OFFICIAL, _("community worker or town official")),
        (RoleAssignment.Role.MEDIATOR, _("mediator")),
        (RoleAssignment.Role.STAFF, _("property-company staff")),
    ]

    username = forms.RegexField(r"^[\w.@+-]{3,150}$", label=_("Username"), max_length=150)
    display_name = forms.CharField(label=_("Name"), max_length=50, required=False)
    phone = forms.RegexField(r"^1\d{10}$", label=_("Mobile phone"), required=False)
    title = forms.CharField(label=pgettext_lazy("job title", "Title"), max_length=50, required=False)
    role = forms.ChoiceField(label=pgettext_lazy("account", "Role"), choices=ROLES)
    place = forms.ChoiceField(label=_("Place or company"))
    is_admin = forms.BooleanField(label=_("Administrator of the company (may add its staff)"), required=False)
    password = forms.CharField(label=_("Initial password"), widget=forms.PasswordInput(render_value=False), min_length=8)

    def __init__(self, *args, actor, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        groups = []
        if actor.is_superuser or selectors.official_places(actor):
            groups += [
                (_("Towns"), [(f"subdistrict:{s.pk}", s.name) for s in selectors.subdistricts_in_official_area(actor)]),
                (
                    _("Communities"),
                    [
                        (f"community:{c.pk}", f"{c.subdistrict.name} · {c.name}")
                        for c in selectors.communities_in_official_area(actor).select_related("subdistrict")
                    ],
                ),
                (
                    _("Compounds (mediators)"),
                    [
                        (f"compound:{c.pk}", f"{c.community.name} · {c.name}")
                        for c in selectors.compounds_visible_to(actor, roles=[RoleAssignment.Role.OFFICIAL]).select_related("community")
                    ],
                ),
                (_("Property companies"), [(f"company:{c.pk}", c.name) for c in selectors.companies_visible_to(actor)]),
            ]
        else:
            self.fields["role"].choices = [self.ROLES[2]]
            groups.append(
                (
                    _("Property companies"),
                    [(f"company:{c.pk}", c.name) for c in PropertyCompany.objects.filter(pk__in=selectors.administered_company_ids(actor))],
                )
            )
        self.fields["place"].choices = [("", "—")] + [g for g in groups if g[1]]

    def to_service(self) -> dict:
        data = dict(self.cleaned_data)
        kind, _sep, pk = data.pop("place").partition(":")
        for place in ("subdistrict", "community", "compound", "company"):
            data[f"{place}_id"] = int(pk) if kind == place else None
        return data

    def field_for(self, service_field: str | None) -> str | None:
        """Where to show a service's error: the scope fields all live in `place`."""
        if service_field in {"subdistrict", "community", "compound", "company"}:
            return "place"
        return service_field if service_field in self.fields else None
