"""Why a match was made, in a form a listing page can show and a database can store.

The rendered text is plain Simplified Chinese, e.g.
"领域一致 · 成熟度满足 (TRL 6 ≥ 5) · 价格在预算内 · 关键词: 正极材料、锂离子电池".
The strings are marked with a local `gettext_noop` so `make messages` extracts them, and are
translated at render time by the gettext the host installs with `use_translation` (the web
app installs Django's once its apps are ready, see `matching.apps`). The core knows no
translation machinery: the benchmark and the evaluator run without Django and render the
Chinese source.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from matching.text import is_content_word


def gettext_noop(message: str) -> str:
    """Marks a string for `makemessages` (which looks for this name) without touching
    Django's settings, which Django's own gettext_noop does."""
    return message


Status = Literal["met", "missed", "unknown"]

CRITERIA = ("text", "field", "industry", "maturity", "price", "modes", "region", "freshness")

# (criterion, status or variant) -> message. Missed region and freshness are not shown:
# they carry no penalty, and "not nearby" is not a reason anyone acts on.
MESSAGES: dict[tuple[str, str], str] = {
    ("field", "met"): gettext_noop("领域一致"),
    ("field", "missed"): gettext_noop("领域不同"),
    ("industry", "met"): gettext_noop("行业一致"),
    ("industry", "missed"): gettext_noop("行业不同"),
    ("maturity", "met"): gettext_noop("成熟度满足 (TRL %(offered)d ≥ %(required)d)"),
    ("maturity", "missed"): gettext_noop("成熟度不足 (TRL %(offered)d < %(required)d)"),
    ("price", "met"): gettext_noop("价格在预算内"),
    ("price", "missed"): gettext_noop("价格超出预算"),
    ("modes", "met"): gettext_noop("合作方式相符 (%(modes)s)"),
    ("modes", "missed"): gettext_noop("合作方式不符"),
    ("region", "market"): gettext_noop("同一市场"),
    ("region", "province"): gettext_noop("同省"),
    ("freshness", "met"): gettext_noop("近期发布"),
    ("terms", ""): gettext_noop("关键词: %(terms)s"),
}

# The cooperation modes' labels, the same msgids as listings.choices.CooperationMode, so the
# existing translations apply. Repeated here to keep the engine importable without Django's
# app registry.
MODE_LABELS = {
    "transfer": gettext_noop("转让"),
    "license": gettext_noop("许可"),
    "equity": gettext_noop("作价入股"),
    "joint_development": gettext_noop("合作开发"),
    "service": gettext_noop("技术服务"),
}

SEPARATOR = " · "
TERM_SEPARATOR = "、"


def _untranslated(message: str) -> str:
    return message


_gettext: Callable[[str], str] = _untranslated


def use_translation(gettext: Callable[[str], str]) -> None:
    """Render explanations through `gettext` from now on (the host's translation catalogue,
    e.g. Django's); until then they render in the Chinese source."""
    global _gettext
    _gettext = gettext


def translate(message: str) -> str:
    """The installed gettext's translation, the Chinese source when none is installed."""
    try:
        return _gettext(message)
    except Exception:  # a translation that cannot be looked up must not break a match
        return message


@dataclass(frozen=True)
class Criterion:
    """One criterion of one match: met, missed or unknown, and what it added to the score."""

    name: str
    status: Status
    contribution: float
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Explanation:
    """The reasons behind a match: shared terms and each criterion with its contribution.

    `criteria[0]` is always text relevance; its `detail` splits the contribution over the
    listing's title, keywords and description.
    """

    score: float
    shared_terms: tuple[str, ...]
    criteria: tuple[Criterion, ...]

    def criterion(self, name: str) -> Criterion:
        for c in self.criteria:
            if c.name == name:
                return c
        raise KeyError(name)

    def as_dict(self) -> dict[str, Any]:
        """JSON-serialisable, for storing next to a match."""
        return {
            "score": round(self.score, 6),
            "shared_terms": list(self.shared_terms),
            "criteria": [
                {
                    "name": c.name,
                    "status": c.status,
                    "contribution": round(c.contribution, 6),
                    "detail": c.detail,
                }
                for c in self.criteria
            ],
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Explanation:
        """The inverse of `as_dict`, for a stored match; empty or malformed data gives an
        explanation with no reasons rather than an error on a page."""
        criteria = []
        for c in data.get("criteria", []) if isinstance(data, dict) else []:
            try:
                criteria.append(
                    Criterion(c["name"], c["status"], float(c["contribution"]), c.get("detail", {}))
                )
            except (KeyError, TypeError, ValueError):
                continue
        terms = data.get("shared_terms", []) if isinstance(data, dict) else []
        # Matches stored before the engine kept to content words may name filler (目前、
        # 希望、武汉): leave it out on the way to a page, without waiting for a rematch.
        terms = [t for t in terms if isinstance(t, str) and is_content_word(t)]
        score = data.get("score", 0.0) if isinstance(data, dict) else 0.0
        return cls(score=float(score), shared_terms=tuple(terms), criteria=tuple(criteria))

    def as_text(self) -> str:
        parts: list[str] = []
        for c in self.criteria:
            message = _message_for(c)
            if message:
                parts.append(message)
        if self.shared_terms:
            terms = TERM_SEPARATOR.join(self.shared_terms)
            parts.append(translate(MESSAGES[("terms", "")]) % {"terms": terms})
        return SEPARATOR.join(parts)

    def __str__(self) -> str:
        return self.as_text()


def _message_for(c: Criterion) -> str:
    if c.name == "text" or c.status == "unknown":
        return ""
    if c.name == "region":
        variant = c.detail.get("level", "")
        return translate(MESSAGES[("region", variant)]) if variant else ""
    if c.name == "freshness" and c.status != "met":
        return ""
    template = translate(MESSAGES[(c.name, c.status)])
    if c.name == "maturity":
        return template % {"offered": c.detail["offered"], "required": c.detail["required"]}
    if c.name == "modes" and c.status == "met":
        labels = [translate(MODE_LABELS.get(m, m)) for m in c.detail.get("shared", [])]
        return template % {"modes": TERM_SEPARATOR.join(labels)}
    return template
