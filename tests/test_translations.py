"""The English translation of the UI: complete, compiled, and in use.

The source strings are Simplified Chinese; English is the second language. `make messages`
extracts the strings into locale/en/LC_MESSAGES/django.po and compiles the committed
django.mo, which is what Django reads at run time.
"""

from __future__ import annotations

import re
from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.template import Context, Template
from django.utils import translation
from django.utils.translation import gettext, ngettext

from listings.choices import CooperationMode, TechField
from listings.models import Achievement

MESSAGES = Path(settings.LOCALE_PATHS[0]) / "en" / "LC_MESSAGES"
PO_PATH = MESSAGES / "django.po"
MO_PATH = MESSAGES / "django.mo"

HAN = re.compile(r"[\u4e00-\u9fff]")
# printf-style placeholders as Python's % operator reads them: %(name)s, %(size).1f, %s, %d,
# and the literal %%, matched first so that "50%% done" does not read as a "% d".
PLACEHOLDER = re.compile(r"%%|%(?:\([^)]+\))?[#0 +-]*\d*(?:\.\d+)?[sdif]")


@pytest.fixture(scope="module")
def po() -> polib.POFile:
    return polib.pofile(str(PO_PATH))


def _label(entry: polib.POEntry) -> str:
    where = ", ".join(path for path, _line in entry.occurrences)
    return f"{entry.msgid!r} ({where})"


def _pairs(catalog: polib.POFile | polib.MOFile) -> set[tuple]:
    """Every translation a catalog holds, plural forms included, without the header."""
    return {
        (
            entry.msgctxt,
            entry.msgid,
            entry.msgid_plural,
            entry.msgstr,
            tuple(sorted(entry.msgstr_plural.items())),
        )
        for entry in catalog
        if entry.msgid
    }


def test_po_every_string_is_translated(po):
    untranslated = "\n".join(_label(e) for e in po.untranslated_entries())
    assert not untranslated, f"Untranslated strings in {PO_PATH}:\n{untranslated}"


def test_po_has_no_fuzzy_entries(po):
    fuzzy = "\n".join(_label(e) for e in po.fuzzy_entries())
    assert not po.metadata_is_fuzzy, f"The header of {PO_PATH} is marked fuzzy."
    assert not fuzzy, f"Fuzzy translations in {PO_PATH} (check them, then drop the flag):\n{fuzzy}"


def test_po_translations_keep_the_placeholders(po):
    broken = []
    for entry in po.translated_entries():
        if "python-format" not in entry.flags:
            continue
        expected = sorted(PLACEHOLDER.findall(entry.msgid))
        translations = list(entry.msgstr_plural.values()) or [entry.msgstr]
        if any(sorted(PLACEHOLDER.findall(text)) != expected for text in translations):
            broken.append(f"{entry.msgid!r} -> {translations!r}")
    assert not broken, "Translations whose placeholders differ from the source:\n" + "\n".join(
        broken
    )


def test_mo_is_compiled_from_the_current_po(po):
    compiled = _pairs(polib.mofile(po.to_binary()))
    committed = _pairs(polib.mofile(str(MO_PATH)))
    missing = sorted(pair[1] for pair in compiled - committed)
    stale = sorted(pair[1] for pair in committed - compiled)
    assert not (missing or stale), (
        f"{MO_PATH} is out of date with {PO_PATH}; run `make messages`.\n"
        f"Not in the .mo as the .po has them: {missing}\nOnly in the .mo: {stale}"
    )


def test_gettext_english_key_strings():
    with translation.override("en"):
        achievements = gettext("科技成果")
        assert achievements and not HAN.search(achievements)
        assert gettext("科技成果") == "Technology achievements"
        assert gettext("技术需求") == "Technology demands"
        assert gettext("我的发布") == "My listings"
        assert gettext("面议") == "Negotiable"
        assert gettext("分市场") == "Sub-market"
        assert gettext("技术经纪人") == "Technology broker"
        assert gettext("您所在的机构不能发布%s。") % "x" == "Your organization cannot publish x."


def test_gettext_english_plural_forms():
    with translation.override("en"):
        assert ngettext("共 %(n)s 项", "共 %(n)s 项", 1) % {"n": 1} == "1 result"
        assert ngettext("共 %(n)s 项", "共 %(n)s 项", 3) % {"n": 3} == "3 results"


def test_lazy_labels_and_templates_render_in_english():
    template = Template(
        "{% load i18n %}{% trans '批量导入' %} | "
        "{% blocktrans count n=n %}共 {{ n }} 项{% plural %}共 {{ n }} 项{% endblocktrans %}"
    )
    with translation.override("en"):
        assert str(Achievement._meta.verbose_name) == "Technology achievements"
        assert str(TechField.NEW_MATERIALS.label) == "New materials"
        assert str(CooperationMode.EQUITY.label) == "Equity investment"
        assert template.render(Context({"n": 2})) == "Bulk import | 2 results"


def test_chinese_stays_the_default_language():
    with translation.override("zh-hans"):
        assert gettext("科技成果") == "科技成果"


def test_match_reasons_render_in_english():
    """The matching core renders its reasons through the gettext the app installs."""
    from matching.explain import Criterion, Explanation

    expl = Explanation(
        score=0.9,
        shared_terms=("锂电池",),
        criteria=(
            Criterion("field", "met", 0.1),
            Criterion("maturity", "missed", -0.03, {"offered": 3, "required": 5}),
            Criterion("modes", "met", 0.06, {"shared": ["equity"]}),
            Criterion("region", "met", 0.05, {"level": "market"}),
        ),
    )
    with translation.override("en"):
        assert expl.as_text() == (
            "Same field · Not mature enough (TRL 3 < 5) · Compatible modes (Equity investment)"
            " · Same market · Keywords: 锂电池"
        )
    with translation.override("zh-hans"):
        assert expl.as_text() == (
            "领域一致 · 成熟度不足 (TRL 3 < 5) · 合作方式相符 (作价入股) · 同一市场"
            " · 关键词: 锂电池"
        )
