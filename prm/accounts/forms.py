from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from allauth.account.forms import LoginForm
from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from prm.tenancy.roles import PARTNER_ROLES, STAFF_ROLES, Role

if TYPE_CHECKING:
    from django.db.models import Model
    from django_stubs_ext import StrOrPromise


class AcceptInvitationForm(forms.Form):
    full_name = forms.CharField(label=_("Your name"), max_length=150)
    password1 = forms.CharField(label=_("Choose a password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Repeat the password"), widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, email: str = "", **kwargs):
        self.email = email
        super().__init__(*args, **kwargs)

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
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
    partner: forms.ModelChoiceField[Model] = forms.ModelChoiceField(
        label=_("Partner organisation"), queryset=None, required=False)

    def __init__(self, *args, roles: list[tuple[str, StrOrPromise]], partner_queryset=None,
                 partner_admin: bool = False, **kwargs):
        """`roles`: the choices the inviting member may give (prm.accounts.policy.role_choices)."""
        super().__init__(*args, **kwargs)
        if partner_admin:
            roles = [(value, label) for value, label in roles if value in PARTNER_ROLES]
            del self.fields["partner"]
        else:
            cast(forms.ModelChoiceField, self.fields["partner"]).queryset = partner_queryset
            self.fields["partner"].help_text = _("Required for partner roles.")
        # Any known role passes the field, so that a forged one reaches the service's policy check
        # (its reason on the form, and audited); the list offers only what the inviter may give.
        cast(forms.ChoiceField, self.fields["role"]).choices = Role.choices
        self.fields["role"].widget.choices = roles

    def clean(self) -> dict[str, Any]:
        super().clean()
        data = self.cleaned_data
        if "partner" in self.fields:
            role = data.get("role")
            if role in PARTNER_ROLES and not data.get("partner"):
                self.add_error("partner", _("Choose the partner organisation for a partner role."))
            if role in STAFF_ROLES:
                data["partner"] = None
        return data


class PortalLoginForm(LoginForm):
    """allauth's sign-in form with the portal's wording (ACCOUNT_FORMS["login"])."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["login"].label = _("Email")
        self.fields["login"].widget.attrs.pop("placeholder", None)
        self.fields["password"].widget.attrs.pop("placeholder", None)
        self.fields["password"].help_text = ""  # the page links "Forgot your password?" below the button
        if "remember" in self.fields:
            self.fields["remember"].label = _("Remember me on this device")
