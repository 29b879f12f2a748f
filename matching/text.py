"""Tokenizers for Chinese listing text, shared by the matching engine (and, later, search/).

Listings mix simplified Chinese, full-width punctuation, Latin abbreviations and numbers.
We normalise with NFKC (full-width → half-width, compatibility forms folded), segment with
jieba's search mode (which also emits the shorter words inside long compounds, so
"锂离子电池" matches a demand that says "离子电池"), and drop punctuation and whitespace.

Word segmentation is not stable across contexts: the same phrase can be cut differently in
a short demand and in a long abstract. `cjk_bigrams` gives a segmentation-free view of the
same text, which the engine fuses with the word view.
"""

from __future__ import annotations

import logging
import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

import jieba

# jieba prints its dictionary loading to stderr through its own logger; keep it quiet.
jieba.setLogLevel(logging.WARNING)
logging.getLogger("jieba").setLevel(logging.WARNING)

_CJK = r"\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_WORDLIKE = re.compile(rf"[{_CJK}A-Za-z0-9]")
_CJK_RUN = re.compile(rf"[{_CJK}]+")
_LATIN_RUN = re.compile(r"[a-z0-9]+(?:[.\-][a-z0-9]+)*")

# Function words that carry no topic. Kept deliberately tiny: BM25's IDF already discounts
# frequent words, and a long stop list tuned to one corpus would not generalise.
STOPWORDS = frozenset(
    "的 了 和 与 及 或 在 是 为 对 于 将 把 被 等 中 上 下 以 及其 并 而 其 之 这 该 个 一种 "
    "我们 本文 通过 进行 研究 基于 采用 利用 提出".split()
)


def normalize(text: str | None) -> str:
    """NFKC-fold and lowercase; `None` and non-strings become empty text."""
    if not text:
        return ""
    return unicodedata.normalize("NFKC", str(text)).lower()


def _is_token(token: str) -> bool:
    return bool(_WORDLIKE.search(token)) and token not in STOPWORDS


def words(text: str | None) -> list[str]:
    """jieba search-mode tokens of `text`, punctuation, whitespace and stop words removed."""
    norm = normalize(text)
    if not norm:
        return []
    return [t for t in (s.strip() for s in jieba.cut_for_search(norm)) if t and _is_token(t)]


def cjk_ngrams(text: str | None, n: int) -> list[str]:
    """Overlapping `n`-character grams of each run of CJK characters, plus Latin/number words
    as they are. A run shorter than `n` yields itself, so short words are not lost."""
    norm = normalize(text)
    out: list[str] = []
    for run in _CJK_RUN.findall(norm):
        if len(run) <= n:
            out.append(run)
        else:
            out.extend(run[i : i + n] for i in range(len(run) - n + 1))
    out.extend(_LATIN_RUN.findall(norm))
    return out


def cjk_bigrams(text: str | None) -> list[str]:
    return cjk_ngrams(text, 2)


def cjk_trigrams(text: str | None) -> list[str]:
    return cjk_ngrams(text, 3)


@lru_cache(maxsize=4096)
def phrase_words(phrase: str) -> tuple[str, ...]:
    """Tokens of a short phrase such as a keyword; cached because keywords repeat a lot."""
    return tuple(words(phrase))


def join_fields(parts: Iterable[str | None]) -> str:
    """Join text fields with a separator that stops bigrams and words bridging two fields."""
    return "\n".join(p for p in parts if p)
