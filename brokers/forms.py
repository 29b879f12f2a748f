import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from brokers.models import BrokerMessage

TOO_LONG = _("消息最多 %(limit_value)d 字，当前 %(show_value)d 字，请删减后再发送。")


class MessageForm(forms.Form):
    """One message of a demand's thread. The hidden token is new each time the form is
    shown, so the same submit sent twice (a double click) stores one message."""

    body = forms.CharField(
        label=_("留言内容"),
        max_length=BrokerMessage.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": _("请填写消息内容。"), "max_length": TOO_LONG},
    )
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())


class ReplyForm(MessageForm):
    """The broker's side: the first reply and every one after it."""

    body = forms.CharField(
        label=_("答复内容"),
        max_length=BrokerMessage.MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("说明您对需求的理解、下一步对接安排和联系方式"),
        error_messages={"required": _("请填写答复内容。"), "max_length": TOO_LONG},
    )
