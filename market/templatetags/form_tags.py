"""What the shared form templates (templates/forms/) need: the list of a form's errors."""

import uuid

from django import template

register = template.Library()


@register.simple_tag
def form_error_summary(form) -> list[dict]:
    """One entry per error message, in the form's order: the form's own errors first, then each
    field's, linking to the field (its first box, for a group of checkboxes)."""
    if form is None or not form.is_bound or not form.errors:
        return []
    items = [{"href": "", "label": "", "message": m} for m in form.non_field_errors()]
    for field in form:
        if not field.errors:
            continue
        if field.is_hidden:
            items += [{"href": "", "label": "", "message": m} for m in field.errors]
            continue
        target = field.auto_id
        if field.field.widget.use_fieldset:
            target = f"{field.auto_id}_0"
        elif field.id_for_label:
            target = field.id_for_label
        label = field.label or field.name
        items += [{"href": f"#{target}", "label": label, "message": m} for m in field.errors]
    return items


@register.filter
def has_required(form) -> bool:
    """Whether a visible field of the form must be filled in: then the form says what * means."""
    return any(field.field.required for field in form.visible_fields())


@register.simple_tag
def form_token() -> str:
    """A hidden one-time token for a form whose second send must change nothing (a
    double-clicked submit): the service stores the token with what the first send made."""
    from django.utils.html import format_html

    return format_html('<input type="hidden" name="token" value="{}">', uuid.uuid4())
