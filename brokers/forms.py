from django import forms
from django.utils.translation import gettext_lazy as _

from brokers.models import Broker


class ReplyForm(forms.Form):
    body = forms.CharField(
        label=_("答复内容"),
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("说明您对需求的理解、下一步对接安排和联系方式"),
        error_messages={"required": _("请填写答复内容。")},
    )


class ReassignForm(forms.Form):
    """An operator's decision on the confirm page: which broker, and why. Which brokers are
    allowed, and whether the decision is still current, is the service's to say."""

    broker = forms.ModelChoiceField(
        label=_("技术经纪人"),
        queryset=Broker.objects.all(),
        widget=forms.RadioSelect,
        error_messages={
            "required": _("请选择一位技术经纪人。"),
            "invalid_choice": _("所选的技术经纪人不存在，请重新选择。"),
        },
    )
    seen_assignment = forms.IntegerField(required=False, widget=forms.HiddenInput)
    reason = forms.CharField(
        label=_("改派原因"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("记入需求的办理记录，原经纪人的分派以此结束"),
    )
