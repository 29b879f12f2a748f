"""The compliance figures' cache (windows.selectors.compliance.COMPLIANCE_FIGURES): a save
or delete of a case, an item, a rating, a follow-up, a complaint or a standard makes every
cached figure stale, now and on commit. bulk_create and QuerySet.update send no signal:
the steps of the services that use them write the audit log, whose latest entry is part of
the figures' key, and code that bulk-creates these rows bumps the group itself
(bench/windows.py does)."""

from django.db.models.signals import post_delete, post_save

from windows.models import (
    CaseItem,
    CaseRating,
    Complaint,
    FollowUp,
    ServiceCase,
    ServiceStandard,
    StandardItem,
)


def _compliance_changed(sender, **kwargs):
    from market.fragments import fragments_bump_now_and_on_commit
    from windows.selectors.compliance import COMPLIANCE_FIGURES

    fragments_bump_now_and_on_commit(COMPLIANCE_FIGURES)


for _model in (
    ServiceCase,
    CaseItem,
    CaseRating,
    FollowUp,
    Complaint,
    ServiceStandard,
    StandardItem,
):
    post_save.connect(
        _compliance_changed,
        sender=_model,
        dispatch_uid=f"windows.compliance.save.{_model.__name__}",
    )
    post_delete.connect(
        _compliance_changed,
        sender=_model,
        dispatch_uid=f"windows.compliance.delete.{_model.__name__}",
    )
