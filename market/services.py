"""Writes to the market network, and the lifecycle machinery every app shares."""

from __future__ import annotations

import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.models import Group
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from market.choices import MARKET_SCOPED_ROLES, Role
from market.models import Market, Membership, Notification, Organization, TransitionLog, User

logger = logging.getLogger(__name__)


def notification_group(user_id: int) -> str:
    return f"notifications.user.{user_id}"


@transaction.atomic
def notify(
    *,
    recipient: User,
    verb: str,
    title: str,
    body: str = "",
    url: str = "",
    email: bool = False,
) -> Notification:
    """Store an in-app notification; after commit, push it live and optionally e-mail it."""
    notification = Notification.objects.create(
        recipient=recipient, verb=verb, title=title, body=body, url=url
    )

    def deliver():
        payload = {
            "id": notification.pk,
            "verb": verb,
            "title": title,
            "body": body,
            "url": url,
            "created_at": notification.created_at.isoformat(),
        }
        try:
            async_to_sync(get_channel_layer().group_send)(
                notification_group(recipient.pk),
                {"type": "notification.created", "notification": payload},
            )
        except Exception:  # the stored notification is the record; live push is best effort
            logger.warning("live notification push failed", exc_info=True)
        if email and recipient.email:
            send_mail(title, body, None, [recipient.email], fail_silently=True)

    transaction.on_commit(deliver)
    return notification


def transition_apply(
    obj: models.Model,
    *,
    transition: str,
    by: User | None,
    reason: str = "",
    state_field: str = "status",
) -> models.Model:
    """Take one lifecycle transition on a locked, fresh copy of `obj` and record it.

    The transition table (sources, target, who may) lives on the model as django-fsm
    transitions; this is the one place that enforces it and writes the audit log.
    Call inside a transaction.
    """
    model = type(obj)
    locked = model.objects.select_for_update().get(pk=obj.pk)
    method = getattr(locked, transition)
    from_state = getattr(locked, state_field)
    # Permission first: someone who may not act learns nothing about the record's state.
    if not any(t.has_perm(locked, by) for t in method._django_fsm.transitions.values()):
        raise PermissionDenied(_("您没有权限执行“%s”。") % transition_label(transition))
    if not can_proceed(method):
        raise ValidationError(
            _("当前状态为“%(state)s”，不能执行“%(action)s”。页面可能已过期，请刷新后再试。")
            % {"state": locked.get_status_display(), "action": transition_label(transition)},
            code="invalid_transition",
        )
    if not has_transition_perm(method, by):
        raise PermissionDenied(_("您没有权限执行“%s”。") % transition_label(transition))
    method()
    try:
        locked.save()
    except ConcurrentTransition:
        raise ValidationError(
            _("该记录刚被其他人修改，请刷新后再试。"), code="concurrent_transition"
        ) from None
    TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(model),
        object_id=locked.pk,
        transition=transition,
        from_state=from_state,
        to_state=getattr(locked, state_field),
        by=by,
        reason=reason,
    )
    return locked


TRANSITION_LABELS = {
    "submit": gettext_lazy("提交审核"),
    "approve": gettext_lazy("审核通过"),
    "reject": gettext_lazy("退回"),
    "renew": gettext_lazy("续期"),
    "expire": gettext_lazy("到期"),
    "close": gettext_lazy("关闭"),
    "reopen": gettext_lazy("重新编辑"),
}


def transition_label(name: str) -> str:
    return str(TRANSITION_LABELS.get(name, name))


def transition_history(obj: models.Model):
    return TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).select_related("by")


@transaction.atomic
def organization_create(*, actor: User | None = None, **fields: Any) -> Organization:
    """Register an organization; the credit code is checked with its check character."""
    organization = Organization(**fields)
    organization.full_clean()
    organization.save()
    if actor is not None and actor.is_authenticated:
        membership_grant(organization=organization, user=actor, role=Role.ORG_ADMIN)
    return organization


# The auth group that opens Wagtail's admin (the back office) to market operators. It is made,
# with its permissions, by the data migration market/0002_operator_group.
OPERATOR_GROUP_NAME = "市场运营人员"


@transaction.atomic
def membership_grant(
    *, organization: Organization, user: User, role: str, market: Market | None = None
) -> Membership:
    """Give `user` a role; an operator also joins the operators' group to reach the admin."""
    if role in MARKET_SCOPED_ROLES and market is None:
        raise ValidationError({"market": _("窗口工作人员和市场运营人员须指定负责的市场。")})
    membership, _created = Membership.objects.get_or_create(
        user=user, organization=organization, role=role, defaults={"market": market}
    )
    if role == Role.OPERATOR:
        # get_or_create rather than get: granting a role must not fail because the group was
        # renamed by hand; the group's permissions come from the migration.
        group, _created = Group.objects.get_or_create(name=OPERATOR_GROUP_NAME)
        user.groups.add(group)
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership) -> None:
    """Take a role away. Someone who operates no market any more also leaves the operators'
    group, so they lose the admin with the role."""
    user = membership.user
    membership.delete()
    operator_group_sync(user=user)


def operator_group_sync(*, user: User) -> None:
    """The operators' group holds exactly the users with an operator role."""
    if not Membership.objects.filter(user=user, role=Role.OPERATOR).exists():
        user.groups.remove(*Group.objects.filter(name=OPERATOR_GROUP_NAME))
