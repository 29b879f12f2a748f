"""A broker's own pages: the demands assigned to them and the reply form."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from brokers import selectors, services
from brokers.forms import MessageForm, ReplyForm
from brokers.models import Assignment
from brokers.panels import thread_panel_context
from listings.models import Demand
from listings.panels import detail_panels
from market import permissions


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
                assignment=assignment,
                actor=request.user,
                body=form.cleaned_data["body"],
                token=form.cleaned_data["token"],
            )
        except ValidationError as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("答复已发送给需求方。"))
            return redirect(f"{services.assignment_url(assignment)}#thread")
    return render(
        request,
        "brokers/assignment_detail.html",
        {
            "assignment": assignment,
            "form": form,
            "thread": selectors.demand_thread(assignment.demand),
            # what the broker can offer in the first reply: the demand page's panels
            "panels": detail_panels(request, kind="demand", listing=assignment.demand),
        },
    )


@login_required
@require_POST
def demand_message(request, pk):
    """The demand's owner writes to its broker from the thread on the demand's page. A bad
    message comes back on a page of its own with the thread, the text kept and the error
    said; a good one returns to the demand's page."""
    demand = get_object_or_404(Demand.objects.select_related("owner"), pk=pk)
    if not permissions.is_org_editor(request.user, demand.owner_id):
        raise PermissionDenied(_("只有需求方机构的成员可以在这里留言。"))
    form = MessageForm(request.POST)
    if form.is_valid():
        try:
            services.demand_message_post(
                demand=demand,
                actor=request.user,
                body=form.cleaned_data["body"],
                token=form.cleaned_data["token"],
            )
        except ValidationError as exc:
            add_error(form, exc)
        else:
            messages.success(request, _("留言已发送给技术经纪人。"))
            return redirect(services.thread_url(demand))
    context = thread_panel_context(request=request, kind="demand", listing=demand) or {}
    context.update(listing=demand, kind="demand", form=form)
    return render(request, "brokers/demand_thread.html", context)


def add_error(form, exc: ValidationError) -> None:
    """A service's ValidationError on the form: on the message field where it names it."""
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)
