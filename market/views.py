from django.contrib import messages
from django.contrib.auth import authenticate, login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_GET, require_POST

from market import selectors, services
from market.forms import OrganizationForm, SignupForm
from market.regions import region_tree


def signup(request):
    """注册机构: a person signs up with their organization, which then waits for review."""
    if request.user.is_authenticated:
        return redirect("organization_status")
    form = SignupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        kwargs = form.service_kwargs()
        try:
            user = services.organization_signup(**kwargs)
        except services.DuplicateSignup:
            # The first send of this form made the account; its owner knows the password.
            user = authenticate(request, username=kwargs["username"], password=kwargs["password"])
            if user is None:
                messages.info(request, _("该表单已经提交过，未重复注册。请登录。"))
                return redirect("login")
            login(request, user)
            messages.info(request, _("该表单已经提交过，未重复注册。"))
            return redirect("organization_status")
        except ValidationError as exc:
            _add_signup_errors(form, exc)
        else:
            login(request, user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request, _("注册成功。您的机构正在等待所属市场审核，审核结果会通知您。")
            )
            return redirect("organization_status")
    return render(request, "market/signup.html", {"form": form})


_SIGNUP_FIELD = {"password": "password1", "organization.name": "org_name"}


def _add_signup_errors(form, exc: ValidationError) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for key, errors in exc.error_dict.items():
        field = _SIGNUP_FIELD.get(key, key.removeprefix("organization."))
        form.add_error(field if field in form.fields else None, errors)


@login_required
def organization_status(request):
    """我的机构: the person's organizations and where their review stands."""
    organizations = selectors.organizations_of(request.user)
    return render(request, "market/organization_status.html", {"organizations": organizations})


@login_required
def organization_register(request):
    form = OrganizationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if organization.is_approved:
                messages.success(request, _("机构“%s”已登记。") % organization.name)
                return redirect("listings:mine")
            messages.success(
                request, _("机构“%s”已登记，正在等待所属市场审核。") % organization.name
            )
            return redirect("organization_status")
    return render(request, "market/organization_form.html", {"form": form})


def organization_register_entry(request):
    """/organizations/register/: a visitor is sent to sign up, a signed-in person registers
    another organization."""
    if not request.user.is_authenticated:
        return redirect("signup")
    return organization_register(request)


@login_required
@require_GET
def notification_list(request):
    """通知: the person's notifications, newest first, the unread ones marked. Reading the
    page changes nothing; "全部标为已读" posts. New ones arrive live over the websocket
    (static/js/notifications.js)."""
    notifications = list(request.user.notifications.all()[:100])
    unread = any(n.read_at is None and n.done_at is None for n in notifications)
    return render(
        request,
        "market/notifications.html",
        {"notifications": notifications, "unread": unread},
    )


@login_required
@require_POST
def notifications_read(request):
    """Mark the notifications the person saw as read (up to the newest on their page)."""
    try:
        up_to = int(request.POST.get("up_to", ""))
    except ValueError:
        messages.error(request, _("请从通知页面操作。"))
        return redirect("notifications")
    services.notifications_mark_read(user=request.user, up_to_id=up_to)
    messages.success(request, _("已全部标为已读。"))
    return redirect("notifications")


@require_GET
@cache_control(public=True, max_age=86400)
def regions_json(request):
    """The national list of regions, province → city → district, for static/js/region-picker.js."""
    return JsonResponse(region_tree(), safe=False, json_dumps_params={"ensure_ascii": False})


@require_GET
def healthz(request):
    """A tiny static answer through the full middleware stack: no database, no template.

    For a load balancer's health check, and the ceiling bench/load.py measures the pages
    against (what the server gives a response that costs Django nothing of its own)."""
    return HttpResponse("ok", content_type="text/plain; charset=utf-8")
