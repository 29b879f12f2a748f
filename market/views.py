from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from market import services
from market.forms import OrganizationForm


@login_required
def organization_register(request):
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            organization = services.organization_create(actor=request.user, **form.cleaned_data)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("机构“%s”已登记。") % organization.name)
            return redirect("listings:mine")
    return render(request, "market/organization_form.html", {"form": form})


@login_required
def notification_list(request):
    """通知: the person's notifications, newest first; opening the page marks them read.
    New ones arrive live over the websocket (static/js/notifications.js)."""
    notifications = list(request.user.notifications.all()[:100])
    request.user.notifications.filter(read_at=None).update(read_at=timezone.now())
    return render(request, "market/notifications.html", {"notifications": notifications})
