"""Writes to the market network, and the lifecycle machinery every app shares."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.contrib.auth.models import Group
from django.contrib.auth.password_validation import validate_password
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_fsm import ConcurrentTransition, can_proceed, has_transition_perm

from market import permissions
from market.choices import (
    MARKET_SCOPED_ROLES,
    SELF_SERVICE_ORGANIZATION_KINDS,
    OrganizationStatus,
    Role,
)
from market.models import (
    Market,
    Membership,
    Notification,
    Organization,
    TransitionLog,
    User,
    fsm_transition_label,
    state_label,
)
from market.validators import normalize_credit_code

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
    at: datetime | None = None,
) -> Notification:
    """Store an in-app notification; after commit, push it live and optionally e-mail it.

    `at` dates it at the event it announces (a message's own time) rather than at the
    moment it is written."""
    notification = Notification.objects.create(
        recipient=recipient, verb=verb, title=title, body=body, url=url
    )
    if at is not None:
        # created_at is auto_now_add, which only applies on insert
        notification.created_at = at
        notification.save(update_fields=["created_at"])

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


def notifications_mark_done(
    *, verb: str, url: str, at: datetime | None = None, recipients: Iterable[int] | None = None
) -> int:
    """The work these notices announce is done (the demand answered, the assignment moved
    on): they stop counting as unread and show as handled. Notices already done keep their
    time. Returns how many were marked."""
    open_notices = Notification.objects.filter(verb=verb, url=url, done_at=None)
    if recipients is not None:
        open_notices = open_notices.filter(recipient_id__in=list(recipients))
    return open_notices.update(done_at=at or timezone.now())


def notifications_mark_read(*, user: User, up_to_id: int) -> int:
    """The person has read their notifications up to this one (the newest on the page they
    read): those stop counting as unread; one that arrived after it stays unread. Returns how
    many were marked."""
    return Notification.objects.filter(recipient=user, read_at=None, id__lte=up_to_id).update(
        read_at=timezone.now()
    )


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
        raise PermissionDenied(_("您没有权限执行“%s”。") % transition_label(transition, model))
    if not can_proceed(method):
        raise ValidationError(
            _("当前状态为“%(state)s”，不能执行“%(action)s”。页面可能已过期，请刷新后再试。")
            % {
                "state": state_label(model, from_state, state_field),
                "action": transition_label(transition, model),
            },
            code="invalid_transition",
        )
    if not has_transition_perm(method, by):
        raise PermissionDenied(_("您没有权限执行“%s”。") % transition_label(transition, model))
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


def transition_record(
    obj: models.Model,
    *,
    transition: str,
    by: User | None,
    reason: str = "",
    from_state: str = "",
    to_state: str = "",
) -> TransitionLog:
    """Record, in the same audit log as `transition_apply`, a step that is not a change of
    `obj`'s own state: a demand handed from one broker to another stays published, but who
    did it, when and why belongs to its history (全过程记录). Call inside the transaction
    that makes the change, so the record and the change commit or fail together."""
    return TransitionLog.objects.create(
        content_type=ContentType.objects.get_for_model(type(obj)),
        object_id=obj.pk,
        transition=transition,
        from_state=from_state,
        to_state=to_state,
        by=by,
        reason=reason,
    )


TRANSITION_LABELS = {
    "submit": gettext_lazy("提交审核"),
    "approve": gettext_lazy("审核通过"),
    "reject": gettext_lazy("退回"),
    "renew": gettext_lazy("续期"),
    "expire": gettext_lazy("到期"),
    "close": gettext_lazy("关闭"),
    "reopen": gettext_lazy("重新编辑"),
    "assign_broker": gettext_lazy("分派技术经纪人"),
    "reassign_broker": gettext_lazy("改派技术经纪人"),
}


def transition_label(name: str, model: type[models.Model] | None = None) -> str:
    """The person's word for a transition: the label on the model's own @transition
    (custom={"label": ...}) if it has one, else the shared table above."""
    if model is not None:
        label = fsm_transition_label(model, name)
        if label:
            return label
    return str(TRANSITION_LABELS.get(name, name))


def transition_history(obj: models.Model):
    return TransitionLog.objects.filter(
        content_type=ContentType.objects.get_for_model(type(obj)), object_id=obj.pk
    ).select_related("by", "content_type")


class DuplicateSignup(Exception):
    """The same sign-up form was sent twice; `organization` is what the first send made."""

    def __init__(self, organization: Organization):
        super().__init__(organization.pk)
        self.organization = organization


def may_grant_operator_kind(user: User | None, market_id: int | None = None) -> bool:
    """Only an operator (of that market, or a superuser) may make a market operator (市场运营方)."""
    return permissions.is_market_operator(user, market_id)


def _check_kind(kind: str, actor: User | None, market_id: int | None) -> None:
    if kind not in SELF_SERVICE_ORGANIZATION_KINDS and not may_grant_operator_kind(
        actor, market_id
    ):
        raise ValidationError(
            {"kind": _("只有市场运营人员才能登记“市场运营方”类型的机构。")},
            code="operator_kind_refused",
        )


def _check_credit_code_free(credit_code: str) -> None:
    existing = Organization.objects.filter(credit_code=normalize_credit_code(credit_code)).first()
    if existing is not None:
        raise ValidationError(
            {
                "credit_code": _(
                    "统一社会信用代码为 %(code)s 的机构“%(name)s”已经登记，不能重复注册。"
                    "加入已登记的机构暂不支持在线办理，请联系该机构的管理员或所属市场的运营人员"
                    "为您开通账号。"
                )
                % {"code": existing.credit_code, "name": existing.name}
            },
            code="credit_code_taken",
        )


def market_operators(market: Market):
    """The people who operate `market`: its own operators and the parent market's."""
    market_ids = [market.pk] + ([market.parent_id] if market.parent_id else [])
    return User.objects.filter(
        memberships__role=Role.OPERATOR, memberships__market_id__in=market_ids, is_active=True
    ).distinct()


def _announce_pending(organization: Organization) -> None:
    for operator in market_operators(organization.market):
        notify(
            recipient=operator,
            verb="organization.pending",
            title=_("新机构“%s”待审核") % organization.name,
            body=_("%(kind)s，统一社会信用代码 %(code)s。")
            % {"kind": organization.get_kind_display(), "code": organization.credit_code},
            url=reverse("market_organization_review:list"),
        )


@transaction.atomic
def organization_create(*, actor: User | None = None, **fields: Any) -> Organization:
    """Register an organization; the credit code is checked with its check character.

    One registered by an operator of its market is approved at once; anyone else's waits for
    that operator's review, and only an operator may register a market operator (市场运营方).
    """
    organization = Organization(**fields)
    _check_kind(organization.kind, actor, organization.market_id)
    _check_credit_code_free(organization.credit_code)
    reviewed_by_operator = permissions.is_market_operator(actor, organization.market_id)
    if not reviewed_by_operator:
        organization.status = OrganizationStatus.PENDING
    organization.full_clean()
    organization.save()
    if actor is not None and actor.is_authenticated:
        membership_grant(organization=organization, user=actor, role=Role.ORG_ADMIN)
    if not reviewed_by_operator:
        _announce_pending(organization)
    return organization


def _organization_errors(exc: ValidationError) -> ValidationError:
    """The organization's field errors, keyed "organization.<field>" so that they are not
    taken for the person's (both have a name)."""
    return ValidationError(
        {f"organization.{field}": errors for field, errors in exc.error_dict.items()}
    )


@transaction.atomic
def organization_signup(
    *,
    username: str,
    password: str,
    name: str,
    email: str,
    phone: str = "",
    organization: dict[str, Any],
    signup_token: uuid.UUID | None = None,
) -> User:
    """A new person signs up with their organization: the account, the organization (pending
    its market's review) and the person as its administrator, all or nothing.

    A second send of the same form (a double click) raises DuplicateSignup with the
    organization the first send made, so nothing is created twice.
    """
    if signup_token is not None:
        existing = Organization.objects.filter(signup_token=signup_token).first()
        if existing is not None:
            raise DuplicateSignup(existing)
    fields = dict(organization)
    kind = fields.get("kind")
    if kind not in SELF_SERVICE_ORGANIZATION_KINDS:
        raise ValidationError(
            {"organization.kind": _("请选择高校、科研院所、企业或技术转移机构。")},
            code="kind_refused",
        )
    try:
        _check_credit_code_free(fields.get("credit_code", ""))
    except ValidationError as exc:
        raise _organization_errors(exc) from None
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": _("用户名“%s”已被使用，请换一个。") % username})
    if email and User.objects.filter(email__iexact=email).exists():
        raise ValidationError(
            {"email": _("该邮箱已注册过账号。如果忘记了密码，请在登录页点“忘记密码？”找回。")}
        )
    user = User(username=username, name=name, email=email, phone=phone)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.error_list}) from None
    user.set_password(password)
    user.full_clean(exclude=["password"])
    org = Organization(**fields, status=OrganizationStatus.PENDING, signup_token=signup_token)
    try:
        org.full_clean()
    except ValidationError as exc:
        raise _organization_errors(exc) from None
    try:
        with transaction.atomic():
            user.save()
            org.save()
    except IntegrityError:
        # A concurrent double-click: the other request won the race on the unique token (or
        # took the username or credit code first).
        existing = (
            Organization.objects.filter(signup_token=signup_token).first() if signup_token else None
        )
        if existing is not None:
            raise DuplicateSignup(existing) from None
        raise ValidationError(
            _("该用户名或统一社会信用代码刚被其他人注册，请核对后再试。")
        ) from None
    membership_grant(organization=org, user=user, role=Role.ORG_ADMIN)
    _announce_pending(org)
    return user


def _notify_organization_admins(organization: Organization, *, verb: str, title: str, body: str):
    recipients = User.objects.filter(
        memberships__organization=organization, memberships__role=Role.ORG_ADMIN
    ).distinct()
    for user in recipients:
        notify(recipient=user, verb=verb, title=title, body=body, url="/", email=True)


@transaction.atomic
def organization_approve(*, organization: Organization, actor: User) -> Organization:
    """An operator of the organization's market lets it publish (审核通过)."""
    organization = transition_apply(organization, transition="approve", by=actor)
    organization.reviewed_at = timezone.now()
    organization.review_reason = ""
    organization.save(update_fields=["reviewed_at", "review_reason"])
    _notify_organization_admins(
        organization,
        verb="organization.approved",
        title=_("机构“%s”已通过审核") % organization.name,
        body=_("您的机构已通过%(market)s的审核，现在可以提交科技成果和技术需求了。")
        % {"market": organization.market.name},
    )
    return organization


@transaction.atomic
def organization_reject(*, organization: Organization, actor: User, reason: str) -> Organization:
    """An operator of the organization's market turns the registration down, with a reason."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("不通过时必须填写原因，申请人会看到它。")})
    organization = transition_apply(organization, transition="reject", by=actor, reason=reason)
    organization.reviewed_at = timezone.now()
    organization.review_reason = reason
    organization.save(update_fields=["reviewed_at", "review_reason"])
    _notify_organization_admins(
        organization,
        verb="organization.rejected",
        title=_("机构“%s”未通过审核") % organization.name,
        body=_("原因：%(reason)s\n如有疑问，请联系%(market)s。")
        % {"reason": reason, "market": organization.market.name},
    )
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
