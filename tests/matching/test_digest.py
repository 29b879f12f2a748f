"""The daily e-mail digest of new matches (``manage.py send_match_digest``): one mail per
person with the matches on the listings they can act for, once."""

from datetime import timedelta
from smtplib import SMTPRecipientsRefused

import pytest
from django.conf import settings
from django.core.mail.backends.locmem import EmailBackend
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from brokers.services import demand_assign_broker
from matching import services
from matching.choices import MatchStatus
from matching.explain import Explanation
from matching.models import Match, MatchPreference
from tests.factories import AchievementFactory, BrokerFactory, DemandFactory, OrganizationFactory
from tests.matching.conftest import BATTERY, NEED, published

pytestmark = pytest.mark.django_db

REFUSED = "refused@example.cn"


class RefusingBackend(EmailBackend):
    """The test outbox, except that one address is refused by the "server"."""

    def send_messages(self, messages):
        for message in messages:
            if REFUSED in message.to:
                raise SMTPRecipientsRefused({REFUSED: (550, b"no such user")})
        return super().send_messages(messages)


@pytest.fixture
def matched(university, enterprise):
    for title in ["高镍三元正极材料制备技术", "锂电池正极材料改性"]:
        published(AchievementFactory, owner=university, **{**BATTERY, "title": title})
    demand = published(DemandFactory, owner=enterprise, **NEED)
    services.rematch_all()
    assert Match.objects.filter(demand=demand).count() >= 2
    return demand


def mails_to(mailoutbox, user):
    return [m for m in mailoutbox if m.to == [user.email]]


def test_send_match_digest_sends_one_mail_per_person_with_their_matches(
    matched, enterprise_user, university_user, mailoutbox, capsys
):
    call_command("send_match_digest")
    matches = list(Match.objects.filter(demand=matched).select_related("achievement"))

    (to_enterprise,) = mails_to(mailoutbox, enterprise_user)
    assert to_enterprise.subject == f"技术市场：您有 {len(matches)} 条新匹配"
    html = to_enterprise.alternatives[0][0]
    for match in matches:
        path = reverse("listings:detail", args=["achievement", match.achievement_id])
        url = settings.WAGTAILADMIN_BASE_URL + path
        reasons = Explanation.from_dict(match.explanation).as_text()
        assert match.achievement.title in to_enterprise.body
        assert f"{match.score:.2f}" in to_enterprise.body
        assert reasons and reasons in to_enterprise.body
        assert url in to_enterprise.body and url in html

    # the university hears about the demand its achievements match, once, in one mail
    (to_university,) = mails_to(mailoutbox, university_user)
    assert to_university.subject == f"技术市场：您有 {len(matches)} 条新匹配"
    assert to_university.body.count(matched.title) == len(matches)
    assert len(mailoutbox) == 2
    assert "2 digests sent" in capsys.readouterr().out


def test_send_match_digest_includes_the_demands_assigned_broker(matched, enterprise, mailoutbox):
    broker = BrokerFactory(
        institution=OrganizationFactory(kind="transfer_institution", market=enterprise.market),
        fields=["new_materials"],
    )
    assert demand_assign_broker(demand=matched, email=False).broker == broker
    call_command("send_match_digest")
    (mail,) = mails_to(mailoutbox, broker.user)
    for match in Match.objects.filter(demand=matched).select_related("achievement"):
        assert match.achievement.title in mail.body


def test_send_match_digest_second_run_sends_nothing(
    matched, enterprise_user, university_user, mailoutbox
):
    call_command("send_match_digest")
    sent = len(mailoutbox)
    assert sent == 2
    assert MatchPreference.objects.get(user=enterprise_user).digest_sent_at is not None
    call_command("send_match_digest")
    assert len(mailoutbox) == sent


def test_send_match_digest_later_sends_only_the_matches_made_since(
    matched, university, enterprise_user, mailoutbox
):
    call_command("send_match_digest")
    before = set(Match.objects.values_list("achievement_id", flat=True))
    newer = published(
        AchievementFactory, owner=university, **{**BATTERY, "title": "正极材料包覆工艺"}
    )
    services.rematch_all()
    now_listed = set(Match.objects.filter(demand=matched).values_list("achievement_id", flat=True))
    assert now_listed - before == {newer.pk}
    mailoutbox.clear()
    call_command("send_match_digest")
    (mail,) = mails_to(mailoutbox, enterprise_user)
    assert mail.subject == "技术市场：您有 1 条新匹配"
    assert newer.title in mail.body
    assert "高镍三元正极材料制备技术" not in mail.body


def test_send_match_digest_respects_opt_out_and_missing_email(
    matched, enterprise_user, university_user, mailoutbox
):
    MatchPreference.objects.create(user=university_user, daily_digest=False)
    enterprise_user.email = ""
    enterprise_user.save()
    call_command("send_match_digest")
    assert mailoutbox == []
    assert not MatchPreference.objects.filter(user=enterprise_user).exists()


def test_send_match_digest_leaves_out_dismissed_matches(matched, enterprise_user, mailoutbox):
    matches = list(Match.objects.filter(demand=matched).select_related("achievement"))
    dismissed = services.match_feedback(
        match=matches[0], actor=enterprise_user, action="dismiss", reason="price"
    )
    assert dismissed.status == MatchStatus.DISMISSED
    call_command("send_match_digest")
    (mail,) = mails_to(mailoutbox, enterprise_user)
    assert mail.subject == f"技术市场：您有 {len(matches) - 1} 条新匹配"
    assert matches[0].achievement.title not in mail.body
    for match in matches[1:]:
        assert match.achievement.title in mail.body


def test_send_match_digest_leaves_out_matches_older_than_a_day_for_newcomers(
    matched, enterprise_user, mailoutbox
):
    Match.objects.update(created_at=timezone.now() - timedelta(hours=25))
    call_command("send_match_digest")
    assert mailoutbox == []


def test_send_match_digest_one_failure_does_not_stop_the_others(
    matched, enterprise_user, university_user, mailoutbox, settings, capsys
):
    settings.EMAIL_BACKEND = f"{__name__}.RefusingBackend"
    university_user.email = REFUSED
    university_user.save()
    call_command("send_match_digest")
    assert [m.to for m in mailoutbox] == [[enterprise_user.email]]
    assert "1 failed" in capsys.readouterr().out
    assert not MatchPreference.objects.filter(user=university_user).exists()
    # once the address works again, the next run catches up
    university_user.email = "fixed@example.cn"
    university_user.save()
    call_command("send_match_digest")
    assert [m.to for m in mailoutbox][-1] == ["fixed@example.cn"]
    assert len(mailoutbox) == 2


def test_send_match_digest_dry_run_prints_and_sends_nothing(
    matched, enterprise_user, university_user, mailoutbox, capsys
):
    call_command("send_match_digest", "--dry-run")
    out = capsys.readouterr().out
    assert enterprise_user.email in out
    assert "高镍三元正极材料制备技术" in out
    assert "dry run: 2 digests" in out
    assert mailoutbox == []
    assert not MatchPreference.objects.exists()
