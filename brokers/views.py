"""A broker's own pages: the demands assigned to them and the reply form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from brokers import selectors, services
from brokers.forms import ReplyForm
from brokers.models import Assignment
from listings.panels import detail_panels


@login_required
def assignment_list(request):
    if not hasattr(request.user, "broker_profile"):
        raise PermissionDenied(_("只有技术经纪人可以查看分派给自己的需求。"))
    return render(
        request,
        "brokers/assignment_list.html",
        {"assignments": selectors.assignments_of_broker(request.user)},
    )


@login_required
def assignment_detail(request, pk):
    assignment = get_object_or_404(
        Assignment.objects.select_related("demand__owner", "broker__user"), pk=pk
    )
    if assignment.broker.user_id != request.user.pk:
        raise PermissionDenied(_("这条需求没有分派给您。"))
    form = ReplyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_reply(
                assignment=assignment, actor=request.user, body=form.cleaned_data["body"]
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, _("答复已发送给需求方。"))
            return redirect("brokers:assignment", pk=assignment.pk)
    return render(
        request,
        "brokers/assignment_detail.html",
        {
            "assignment": assignment,
            "form": form,
            "replies": assignment.messages.all(),
            # what the broker can offer in the first reply: the demand page's panels
            "panels": detail_panels(request, kind="demand", listing=assignment.demand),
        },
    )
