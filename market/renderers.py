"""The form renderer every form on the site uses: the site's templates for a form and a field."""

from django.forms.renderers import TemplatesSetting


class SiteFormRenderer(TemplatesSetting):
    """``{{ form }}`` and ``{{ field.as_field_group }}`` render through templates/forms/: required
    fields marked with a * (read out as 必填), and a summary of the errors above the fields."""

    form_template_name = "forms/div.html"
    field_template_name = "forms/field.html"
