from django import forms
from django.utils.translation import gettext_lazy as _


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("答复内容"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("说明您对需求的理解、下一步对接安排和联系方式"),
        error_messages={"required": _("请填写答复内容。")},
    )
