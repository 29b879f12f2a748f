import uuid

from django import forms
from django.utils.translation import gettext_lazy as _

from brokers.choices import DealStage, DocumentKind, LostReason
from brokers.models import Broker, BrokerMessage

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


class DealLeadForm(forms.Form):
    """A broker's own lead (经纪人线索)."""

    title = forms.CharField(label=_("交易名称"), max_length=200)
    expected_amount = forms.DecimalField(
        label=_("预计成交额（万元）"), required=False, min_value=0, max_digits=14, decimal_places=2
    )
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())


class DealLoseForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("流失原因"), choices=[("", _("请选择"))] + LostReason.choices
    )
    note = forms.CharField(
        label=_("补充说明"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class DealDocumentForm(forms.Form):
    """A document for one of the deal's stages. What the file really is, and whether the
    stage is one the deal has reached, is the service's to say."""

    stage = forms.ChoiceField(label=_("所属阶段"))
    kind = forms.ChoiceField(label=_("文件类型"), choices=DocumentKind.choices)
    file = forms.FileField(
        label=_("文件"),
        help_text=_("PDF、图片、Word（.docx）或 Excel（.xlsx）"),
        error_messages={"required": _("请选择要上传的文件。")},
    )
    token = forms.UUIDField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, stages=(), **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(DealStage.choices)
        self.fields["stage"].choices = [(s, labels[s]) for s in stages]
        if not self.is_bound:
            self.initial.setdefault("token", uuid.uuid4())
            if stages:
                self.initial.setdefault("stage", stages[-1])
