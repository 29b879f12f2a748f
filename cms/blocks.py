"""StreamField blocks shared by every page of the public site."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageChooserBlock


class HeadingBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("标题"), max_length=120)
    size = blocks.ChoiceBlock(
        label=_("级别"), choices=[("h2", "H2"), ("h3", "H3")], default="h2", required=False
    )

    class Meta:
        icon = "title"
        template = "cms/blocks/heading.html"
        label = _("小标题")
        description = _("分节标题")


class ImageBlock(blocks.StructBlock):
    image = ImageChooserBlock(label=_("图片"))
    alt = blocks.CharBlock(label=_("替代文字"), max_length=200, help_text=_("供读屏软件朗读"))
    caption = blocks.CharBlock(label=_("图注"), required=False, max_length=200)

    class Meta:
        icon = "image"
        template = "cms/blocks/image.html"
        label = _("图片")
        description = _("带替代文字和图注的图片")


class QuoteBlock(blocks.StructBlock):
    text = blocks.TextBlock(label=_("引文"))
    source = blocks.CharBlock(label=_("出处"), required=False, max_length=120)

    class Meta:
        icon = "openquote"
        template = "cms/blocks/quote.html"
        label = _("引用")
        description = _("政策原文或领导讲话摘录")


class CallToActionBlock(blocks.StructBlock):
    text = blocks.CharBlock(label=_("按钮文字"), max_length=40)
    page = blocks.PageChooserBlock(label=_("链接页面"), required=False)
    url = blocks.URLBlock(label=_("或外部链接"), required=False)

    class Meta:
        icon = "link"
        template = "cms/blocks/call_to_action.html"
        label = _("按钮")
        description = _("醒目的行动按钮")


class MarketFiguresBlock(blocks.StructBlock):
    """The market's live figures against its yearly targets, computed at render time."""

    heading = blocks.CharBlock(label=_("标题"), default=_("“十百千”目标进度"), max_length=60)

    class Meta:
        icon = "table"
        template = "cms/blocks/market_figures.html"
        label = _("市场数据")
        description = _("从业务数据实时计算的“十百千”进度，不可手工填写")


class BaseStreamBlock(blocks.StreamBlock):
    heading = HeadingBlock()
    paragraph = blocks.RichTextBlock(
        label=_("正文"),
        icon="pilcrow",
        template="cms/blocks/paragraph.html",
        features=["bold", "italic", "link", "ol", "ul", "h3"],
    )
    image = ImageBlock()
    quote = QuoteBlock()
    call_to_action = CallToActionBlock()
    market_figures = MarketFiguresBlock()
