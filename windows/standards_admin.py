"""The window service standards (服务标准) in the operators' back office, under "市场网络".

Every operator reads them there; the province's operators (`operates_province`) write.
Only a draft is edited in place. A version in force or retired is read-only: its page
offers "修订为新版本", which makes a draft through `standard_revise` and opens it; the
draft is published (retiring the version it replaces) or thrown away. Cases keep the
version they opened under throughout."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from wagtail.admin import messages
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.panels import FieldPanel, FieldRowPanel, InlinePanel, ObjectList
from wagtail.permission_policies.base import BasePermissionPolicy
from wagtail.permissions import register_permission_policy
from wagtail.snippets.views import snippets as snippet_views
from wagtail.snippets.views.snippets import SnippetViewSet

from market.choices import MarketKind, Role
from market.models import User
from market.permissions import is_market_operator, operates_province
from market.wagtail_hooks import MARKET_NETWORK_MENU_HOOK
from windows.models import ServiceStandard
from windows.selectors import standards as selectors
from windows.services import standards as services

WRITE_ACTIONS = {"add", "change", "delete"}
ADMIN_NAMESPACE = "wagtailsnippets_windows_servicestandard"


class StandardPermissionPolicy(BasePermissionPolicy):
    """Operators read the standards; the province's operators add them and edit or delete
    drafts. Nobody changes a version that is or was in force."""

    def user_has_permission(self, user, action):
        if action == "view":
            return bool(user.is_active and (user.is_superuser or is_market_operator(user)))
        if action in WRITE_ACTIONS:
            return bool(user.is_active and operates_province(user))
        return False

    def user_has_permission_for_instance(self, user, action, instance):
        if action in {"change", "delete"} and not instance.is_draft:
            return False
        return self.user_has_permission(user, action)

    def users_with_any_permission(self, actions):
        actions = set(actions)
        who = Q(is_superuser=True)
        if "view" in actions:
            who |= Q(memberships__role=Role.OPERATOR)
        if actions & WRITE_ACTIONS:
            who |= Q(memberships__role=Role.OPERATOR, memberships__market__kind=MarketKind.MAIN)
        if not actions & (WRITE_ACTIONS | {"view"}):
            return User.objects.none()
        return User.objects.filter(who, is_active=True).distinct()

    def instances_user_has_any_permission_for(self, user, actions):
        if any(self.user_has_permission(user, action) for action in actions):
            return ServiceStandard.objects.all()
        return ServiceStandard.objects.none()


# Registered before the viewset, which would otherwise get the default policy.
register_permission_policy(
    ServiceStandard, StandardPermissionPolicy(ServiceStandard), exact_class=True
)


class StandardForm(WagtailAdminModelForm):
    """A draft's header and checklist. The code and service of a revision are those of the
    version it revises; a new standard takes a code no version has yet."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.previous_id:
            for name in ("code", "service"):
                if name in self.fields:
                    self.fields[name].disabled = True

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not self.instance.pk and ServiceStandard.objects.filter(code=code).exists():
            raise ValidationError(
                _("编号 %s 的标准已经存在，请在它的页面上“修订为新版本”。") % code
            )
        return code

    def is_valid(self):
        if not super().is_valid():
            return False
        formset = self.formsets["items"]
        items = [
            form.instance
            for form in formset.forms
            if form.cleaned_data and not formset._should_delete_form(form)
        ]
        try:
            services.standard_items_validate(
                standard=self.instance, items=items, require_items=False
            )
        except ValidationError as exc:
            self.add_error(None, exc)
            return False
        return True

    def save(self, commit=True):
        if not self.instance.pk:
            # Publishing sets the date it comes into force.
            self.instance.effective_date = timezone.localdate()
        return super().save(commit=commit)


def _admin_url(name: str, *args) -> str:
    return reverse(f"{ADMIN_NAMESPACE}:{name}", args=args)


class StandardIndexView(snippet_views.IndexView):
    def get_edit_url(self, instance):
        if instance.is_draft:
            return super().get_edit_url(instance)
        return None

    def get_delete_url(self, instance):
        if instance.is_draft:
            return super().get_delete_url(instance)
        return None


class StandardEditView(snippet_views.EditView):
    def dispatch(self, request, *args, **kwargs):
        if self.user_has_permission("change"):
            standard = get_object_or_404(ServiceStandard, pk=kwargs.get("pk"))
            if not standard.is_draft:
                messages.warning(
                    request,
                    _(
                        "%(standard)s %(status)s，不能直接修改：正在办理的事项仍按它办理。"
                        "请“修订为新版本”，在新版本中修改后发布实施。"
                    )
                    % {"standard": standard, "status": standard.get_status_display()},
                )
                return redirect(_admin_url("inspect", standard.pk))
        return super().dispatch(request, *args, **kwargs)


class StandardDeleteView(snippet_views.DeleteView):
    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        if not self.user_has_permission_for_instance("delete", self.object):
            raise PermissionDenied


class StandardInspectView(snippet_views.InspectView):
    template_name = "windows/admin/standard_inspect.html"

    # A version that is or was in force is read-only: no edit or delete button for it.
    def get_edit_url(self):
        return super().get_edit_url() if self.object.is_draft else None

    def get_delete_url(self):
        return super().get_delete_url() if self.object.is_draft else None

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        standard = self.object
        versions = list(selectors.standard_versions(standard.code, public=False))
        for version, predecessor in zip(versions, versions[1:] + [None], strict=True):
            version.predecessor = predecessor
            version.diff_url = _admin_url("diff", version.pk, predecessor.pk) if predecessor else ""
        context.update(
            items=standard.items.order_by("sort_order", "pk"),
            versions=versions,
            may_write=operates_province(self.request.user),
            revise_url=_admin_url("revise", standard.pk),
            publish_url=_admin_url("publish", standard.pk),
            retire_url=_admin_url("retire", standard.pk),
        )
        return context


@require_POST
def revise_view(request, pk):
    standard = get_object_or_404(ServiceStandard, pk=pk)
    try:
        draft = services.standard_revise(standard=standard, by=request.user)
    except services.DraftExists as exc:
        messages.warning(request, exc.messages[0])
        return redirect(_admin_url("edit", exc.draft.pk))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_admin_url("inspect", standard.pk))
    messages.success(
        request,
        _("已生成第 %(version)s 版修订稿；修改后在它的页面上“发布实施”，现行版本在此之前继续有效。")
        % {"version": draft.version},
    )
    return redirect(_admin_url("edit", draft.pk))


@require_POST
def publish_view(request, pk):
    standard = get_object_or_404(ServiceStandard, pk=pk)
    try:
        published = services.standard_publish(standard=standard, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_admin_url("inspect", standard.pk))
    messages.success(request, _("%s 已发布实施。") % published)
    return redirect(_admin_url("inspect", published.pk))


@require_POST
def retire_view(request, pk):
    standard = get_object_or_404(ServiceStandard, pk=pk)
    try:
        retired = services.standard_retire(
            standard=standard, by=request.user, reason=request.POST.get("reason", "")[:500]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(_admin_url("inspect", standard.pk))
    messages.success(request, _("%s 已废止。") % retired)
    return redirect(_admin_url("inspect", retired.pk))


def diff_view(request, pk, other_pk):
    if not StandardPermissionPolicy(ServiceStandard).user_has_permission(request.user, "view"):
        raise PermissionDenied
    new = selectors.standard_with_items(pk, public=False)
    old = selectors.standard_with_items(other_pk, public=False)
    if new is None or old is None or new.code != old.code:
        raise Http404
    if old.version > new.version:
        old, new = new, old
    title = _("%(code)s 第 %(old)s 版与第 %(new)s 版对照") % {
        "code": new.code,
        "old": old.version,
        "new": new.version,
    }
    return TemplateResponse(
        request,
        "windows/admin/standard_diff.html",
        {
            "diff": selectors.standard_diff(old, new),
            "old": old,
            "new": new,
            "page_title": title,
            "header_title": title,
            "header_icon": "list-ol",
            "breadcrumbs_items": [
                {"url": reverse("wagtailadmin_home"), "label": _("首页")},
                {"url": _admin_url("list"), "label": _("服务标准")},
                {"url": _admin_url("inspect", new.pk), "label": str(new)},
                {"url": "", "label": _("修订对照")},
            ],
            "old_url": _admin_url("inspect", old.pk),
            "new_url": _admin_url("inspect", new.pk),
        },
    )


class StandardViewSet(SnippetViewSet):
    model = ServiceStandard
    menu_name = "service-standards"
    menu_label = gettext_lazy("服务标准")
    icon = "list-ol"
    menu_hook = MARKET_NETWORK_MENU_HOOK
    menu_order = 6
    list_display = ["code", "title", "version", "service", "status", "effective_date"]
    list_filter = ["status", "service"]
    search_fields = ["code", "title"]
    copy_view_enabled = False
    inspect_view_enabled = True
    inspect_view_fields_exclude = ["id"]
    inspect_template_name = "windows/admin/standard_inspect.html"
    index_view_class = StandardIndexView
    edit_view_class = StandardEditView
    delete_view_class = StandardDeleteView
    inspect_view_class = StandardInspectView
    edit_handler = ObjectList(
        [
            FieldRowPanel([FieldPanel("code"), FieldPanel("service")]),
            FieldPanel("title"),
            FieldPanel("scope"),
            FieldPanel("basis"),
            FieldPanel("change_note"),
            InlinePanel(
                "items",
                heading=gettext_lazy("工作清单"),
                label=gettext_lazy("清单事项"),
                panels=[
                    FieldPanel("action"),
                    FieldPanel("guidance"),
                    FieldRowPanel(
                        [FieldPanel("role"), FieldPanel("evidence"), FieldPanel("mandatory")]
                    ),
                    FieldRowPanel(
                        [
                            FieldPanel("counted_from"),
                            FieldPanel("limit_amount"),
                            FieldPanel("limit_unit"),
                        ]
                    ),
                    FieldPanel("complaint_step"),
                ],
            ),
        ],
        base_form_class=StandardForm,
    )

    def get_urlpatterns(self):
        return [
            *super().get_urlpatterns(),
            path("revise/<int:pk>/", revise_view, name="revise"),
            path("publish/<int:pk>/", publish_view, name="publish"),
            path("retire/<int:pk>/", retire_view, name="retire"),
            path("diff/<int:pk>/<int:other_pk>/", diff_view, name="diff"),
        ]
