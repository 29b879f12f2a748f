from django import forms

from market.models import Organization
from market.validators import normalize_credit_code


class OrganizationForm(forms.ModelForm):
    class Meta:
        model = Organization
        fields = [
            "name",
            "kind",
            "credit_code",
            "market",
            "region_code",
            "address",
            "website",
            "contact_name",
            "contact_phone",
            "contact_email",
            "description",
        ]

    def clean_credit_code(self):
        return normalize_credit_code(self.cleaned_data["credit_code"])
