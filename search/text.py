"""Chinese text analysis shared by both backends and by documents and queries alike.

Elasticsearch and SQLite's FTS5 only ever see tokens this module produced, joined by spaces,
so a document and a query are always cut the same way: NFKC first (full-width "ＬＥＤ" becomes
"LED"), lower-case, then jieba's search mode, which also emits the shorter words inside a long
one ("锂离子电池" → 锂离子, 离子, 电池...).
"""

from __future__ import annotations

import html
import logging
import re
import threading
import unicodedata

import jieba

_lock = threading.Lock()
_ready = False

# Tokens are kept to word characters only, so they can be quoted safely in FTS5, tsquery and
# Lucene syntax. The underscore splits, because FTS5's unicode61 tokenizer would split it too.
_WORD = re.compile(r"[^\W_]+")
_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")

MAX_QUERY_CHARS = 200


def _jieba() -> jieba.Tokenizer:
    global _ready
    if not _ready:
        with _lock:
            if not _ready:
                # jieba prints its dictionary loading to stderr at INFO; nobody needs that.
                jieba.setLogLevel(logging.WARNING)
                jieba.initialize()
                _ready = True
    return jieba.dt


def normalize(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").lower()


def _split(words: list[str]) -> list[str]:
    out = []
    for word in words:
        out.extend(_WORD.findall(word))
    return out


def tokens(text: str) -> list[str]:
    """The index tokens of a text, in order: jieba's search-mode words, punctuation dropped."""
    text = normalize(text)
    if not text.strip():
        return []
    return _split(_jieba().lcut_for_search(text))


def analyze(text: str) -> str:
    """`tokens` joined by spaces: what the index stores and the whitespace analyzer splits."""
    return " ".join(tokens(text))


def query_groups(text: str) -> list[list[str]]:
    """A query as groups of alternatives: one group per word the person typed (jieba's
    precise cut), holding the word and the shorter words inside it. A document matches when
    it matches every group, through any of its alternatives, so "锂电池" finds "锂离子电池"
    through their shared "电池" while a document with the whole word "锂电池" ranks higher."""
    text = normalize(text)[:MAX_QUERY_CHARS]
    groups: list[list[str]] = []
    seen: set[tuple[str, ...]] = set()
    for word in _split(_jieba().lcut(text)):
        alternatives = [word]
        if len(word) > 2:
            for sub in _split(_jieba().lcut_for_search(word)):
                if sub not in alternatives and len(sub) > 1:
                    alternatives.append(sub)
        key = tuple(sorted(alternatives))
        if key not in seen:
            seen.add(key)
            groups.append(alternatives)
    return groups[:32]


def query_terms(text: str) -> list[str]:
    """Every token of a query, for highlighting."""
    return sorted({t for group in query_groups(text) for t in group}, key=len, reverse=True)


def highlight(text: str, terms: list[str], *, length: int = 120) -> str:
    """An HTML-escaped excerpt of `text` around its first match, each match in <mark>.

    Matching is on the NFKC, lower-cased form, which keeps a character-for-character mapping
    with the original for the scripts we index, so marks land on the original text."""
    text = text or ""
    if not terms:
        return html.escape(text[:length])
    folded = normalize(text)
    if len(folded) != len(text):
        # NFKC changed the length (rare ligatures): mark the folded text instead.
        text = folded
    pattern = re.compile("|".join(re.escape(t) for t in terms if t))
    matches = list(pattern.finditer(folded))
    if not matches:
        return html.escape(text[:length])
    start = max(0, matches[0].start() - length // 4)
    end = min(len(text), start + length)
    out, pos = [], start
    for m in matches:
        if m.start() < pos or m.end() > end:
            continue
        out.append(html.escape(text[pos : m.start()]))
        out.append("<mark>" + html.escape(text[m.start() : m.end()]) + "</mark>")
        pos = m.end()
    out.append(html.escape(text[pos:end]))
    prefix = "…" if start > 0 else ""
    suffix = "…" if end < len(text) else ""
    return prefix + "".join(out) + suffix


def has_cjk(text: str) -> bool:
    return bool(_CJK.search(text or ""))
