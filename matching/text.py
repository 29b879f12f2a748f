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
import numpy as np

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
    return list(_words(norm))


@lru_cache(maxsize=4096)
def _words(norm: str) -> tuple[str, ...]:
    # Explanations segment the same listings again and again (one achievement sits in many
    # demands' lists); at about 2 ms a listing, remembering the recent ones pays.
    return tuple(t for t in (s.strip() for s in jieba.cut_for_search(norm)) if t and _is_token(t))


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


# Character n-grams as integers. The engine's n-gram views use these instead of
# `cjk_ngrams`' strings: the same tokens (a test checks it), but computed for many texts at
# once with numpy, and a vocabulary of millions of trigrams kept as one sorted int64 array
# rather than a dict of strings (which would not fit the memory budget at 100,000 listings).

_CJK_RANGES = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_LATIN_TAG = np.int64(1) << np.int64(60)


def _is_cjk(cp: np.ndarray) -> np.ndarray:
    mask = np.zeros(cp.shape, dtype=bool)
    for low, high in _CJK_RANGES:
        mask |= (cp >= low) & (cp <= high)
    return mask


def ngram_keys(
    texts: list[str], n: int, latin: dict[str, int], *, grow: bool, normalized: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """The tokens `cjk_ngrams(text, n)` gives for each text, as (text index, int64 key).

    A CJK token of up to 3 characters (all in the BMP) is packed 16 bits a character with
    its length above them; Latin/number words are numbered in `latin` (grown when `grow`,
    else unknown ones are dropped) and tagged with bit 60, so the two never collide.
    """
    if n > 3:
        raise ValueError("n-gram keys pack at most 3 characters")
    norms = texts if normalized else [normalize(t) for t in texts]
    big = "\n".join(norms) + "\n"
    cp = np.frombuffer(big.encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    lengths = np.fromiter((len(s) + 1 for s in norms), dtype=np.int64, count=len(norms))
    doc_of = np.repeat(np.arange(len(norms), dtype=np.int64), lengths)
    cjk = _is_cjk(cp)
    prev = np.concatenate([[False], cjk[:-1]])
    nxt = np.concatenate([cjk[1:], [False]])
    starts = np.flatnonzero(cjk & ~prev)
    ends = np.flatnonzero(cjk & ~nxt) + 1
    run_len = ends - starts
    keys_out, docs_out = [], []
    # Runs no longer than n are one token each.
    short = run_len <= n
    if short.any():
        s, ln = starts[short], run_len[short]
        key = ln << 48
        for j in range(n):
            has = ln > j
            shift = 16 * np.maximum(ln - 1 - j, 0)
            key = key + np.where(has, cp[np.minimum(s + j, len(cp) - 1)] << shift, 0)
        keys_out.append(key)
        docs_out.append(doc_of[s])
    long = ~short
    if long.any():
        s, ln = starts[long], run_len[long]
        count = ln - n + 1
        total = int(count.sum())
        offsets = np.repeat(s - np.concatenate([[0], np.cumsum(count)[:-1]]), count)
        pos = np.arange(total, dtype=np.int64) + offsets
        key = np.full(total, n, dtype=np.int64) << 48
        for j in range(n):
            key |= cp[pos + j] << (16 * (n - 1 - j))
        keys_out.append(key)
        docs_out.append(doc_of[pos])
    latin_docs, latin_keys = [], []
    for i, s in enumerate(norms):
        for tok in _LATIN_RUN.findall(s):
            code = latin.get(tok)
            if code is None:
                if not grow:
                    continue
                code = latin[tok] = len(latin)
            latin_docs.append(i)
            latin_keys.append(code)
    if latin_keys:
        keys_out.append(np.asarray(latin_keys, dtype=np.int64) | _LATIN_TAG)
        docs_out.append(np.asarray(latin_docs, dtype=np.int64))
    if not keys_out:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.concatenate(docs_out), np.concatenate(keys_out)


def ngram_key_text(key: int) -> str | None:
    """The CJK n-gram a key stands for (None for a Latin word's key), for tests and debugging."""
    key = int(key)
    if key & int(_LATIN_TAG):
        return None
    length = key >> 48
    return "".join(chr((key >> (16 * (length - 1 - j))) & 0xFFFF) for j in range(length))


class TokenCache:
    """A word tokenizer that returns stored tokens for texts it has seen and runs `fallback`
    (jieba by default) on the others, remembering the result.

    jieba is by far the slowest part of matching (about 2 ms a listing), and a listing's
    tokens only change when its text does, so a full rematch should not segment every
    listing again: feed the tokens stored when each listing was last saved with `put()`, and
    pass the cache as the "word" view's tokenizer. Text joined with `join_fields` is split
    back into its fields, each looked up on its own. The benchmark feeds its synthetic
    segmentation this way; the scoring code is the same.
    """

    def __init__(self, fallback=None, *, remember: bool = True) -> None:
        self.fallback = fallback or words
        self.remember = remember
        self.tokens: dict[str, list[str]] = {}

    def put(self, value: str, tokens: list[str]) -> None:
        self.tokens[value] = tokens

    def __call__(self, value: str | None) -> list[str]:
        if not value:
            return []
        out: list[str] = []
        for part in value.split("\n"):
            if not part:
                continue
            toks = self.tokens.get(part)
            if toks is None:
                toks = self.fallback(part)
                if self.remember:
                    self.tokens[part] = toks
            out.extend(toks)
        return out
