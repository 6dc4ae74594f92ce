from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from prm.tenancy.roles import PARTNER_ROLES, STAFF_ROLES, Role


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(label=_("Choose a password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Repeat the password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, email: str = "", **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        p1, p2 = data.get("password1"), data.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            from prm.accounts.models import User

            try:
                password_validation.validate_password(p1, User(email=self.email, full_name=data.get("full_name", "")))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return data


class InvitationForm(forms.Form):
    """Staff invite anyone; partner admins invite colleagues into their own organisation."""

    email = forms.EmailField(label=_("Email"))
    role = forms.ChoiceField(label=_("Role"))
    partner = forms.ModelChoiceField(label=_("Partner organisation"), queryset=None, required=False)

    def __init__(self, *args, partner_queryset=None, partner_admin: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if partner_admin:
            roles = [r for r in Role if r in PARTNER_ROLES]
            del self.fields["partner"]
        else:
            roles = list(Role)
            self.fields["partner"].queryset = partner_queryset
            self.fields["partner"].help_text = _("Required for partner roles.")
        self.fields["role"].choices = [(r.value, r.label) for r in roles]

    def clean(self):
        data = super().clean()
        if "partner" in self.fields:
            role = data.get("role")
            if role in PARTNER_ROLES and not data.get("partner"):
                self.add_error("partner", _("Choose the partner organisation for a partner role."))
            if role in STAFF_ROLES:
                data["partner"] = None
        return data


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"))

    def __init__(self, *args, partner_roles: bool, **kwargs):
        super().__init__(*args, **kwargs)
        roles = PARTNER_ROLES if partner_roles else STAFF_ROLES
        self.fields["role"].choices = [(r.value, r.label) for r in Role if r in roles]
