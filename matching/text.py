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
import jieba.posseg
import numpy as np
import stopwordsiso
import wordfreq

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


# Content words: what an explanation may name as a shared term ("关键词").
#
# Two listings of one market share many words that say nothing about what they are about:
# function words (由、月), the market's own phrasing (希望、目前、落地、技术需求), places
# (武汉), numbers and units (2、150、mah) and stray Latin letters (c). A word names the
# topic when it is none of these and is rare in general Chinese. Frequencies are wordfreq's
# Zipf scale (log10 of occurrences per billion words). On the shared CSL dev set the jieba
# tokens of the authors' own keywords have a median of 3.5 and a 75th percentile of 4.2,
# while the demo demands' boilerplate (目前 5.6, 希望 5.7, 需要 5.9, 武汉 4.9) sits above
# 4.5; at 4.5 the cut keeps 电池 (4.4), 图像 (4.4) and 算法 (4.2) and drops 技术, 系统,
# 方法 and 企业, which no reader takes for a reason.
COMMON_ZIPF = 4.5
# Place names are only dropped when jieba's dictionary tags them as places ("ns") and they
# are either an administrative unit (…省、…市) or common enough to be a well-known city or
# province (武汉 4.9, 襄阳 3.7, 宜昌 3.6): jieba tags some technical words as places too,
# and the cut keeps most of them (阳极 3.2, 蓝牙 3.5, 保鲜 3.1; 密封 3.7 is lost).
PLACE_ZIPF = 3.6
_PLACE_SUFFIXES = ("省", "市", "县", "区", "州", "镇", "乡", "自治区")
# The market's own phrasing, rarer in general Chinese than the cut above: every demand asks
# for a 技术方案 to 落地, every achievement offers 产业化.
MARKET_FILLER = frozenset(
    "落地 产业化 攻关 征集 急需 意向 洽谈 合作方 我司 贵单位 面议 技术支持 成熟技术 关键技术 "
    "推广应用 技术需求 技术攻关 技术合作 技术方案 技术难题 科技成果 成果转化 合作开发 联合攻关 "
    "技术转让 作价入股 科研院所 院所 难题 瓶颈 厂家 报价 引进 年产值 产值 万元 亿元".split()
)
# Measurement units, which jieba cuts out of "185mAh/g" and "2.5MPa" as words of their own.
UNITS = frozenset(
    "mah ah wh kwh mwh w kw mw gw v kv mv a ma hz khz mhz ghz pa kpa mpa gpa mm cm km nm um "
    "ml l g kg mg ug t s ms min h d ppm ppb rpm db lux".split()
)
_NUMBER = re.compile(r"[0-9]+(?:[.,:/\-][0-9]+)*%?")
_ASCII = re.compile(r"[a-z0-9.\-/%]+")


@lru_cache(maxsize=1)
def _stopwords() -> frozenset[str]:
    return frozenset(stopwordsiso.stopwords("zh")) | STOPWORDS


def _is_place(token: str, zipf: float) -> bool:
    tagged = list(jieba.posseg.cut(token))
    if len(tagged) != 1 or tagged[0].flag != "ns":
        return False
    return token.endswith(_PLACE_SUFFIXES) or zipf >= PLACE_ZIPF


@lru_cache(maxsize=65536)
def is_content_word(token: str) -> bool:
    """Whether `token` names what a listing is about (锂电池、固态电解质、lyapunov), rather
    than being a function word, the market's phrasing, a common word, a place, a number, a
    unit or Latin noise. For the terms an explanation shows; ranking does not use it."""
    word = normalize(token).strip()
    if not word or not _WORDLIKE.search(word):
        return False
    if word in _stopwords() or word in MARKET_FILLER:
        return False
    if _ASCII.fullmatch(word):
        # Latin and numbers: 5g, pcb and lidar are terms; 2, 150, c and mah are not.
        return len(word) > 1 and not _NUMBER.fullmatch(word) and word not in UNITS
    if len(word) == 1:
        return False  # a single character (膜、镍) is too ambiguous alone
    zipf = wordfreq.zipf_frequency(word, "zh")
    if zipf >= COMMON_ZIPF:
        return False
    return not _is_place(word, zipf)


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


# Fitting works on all listings at once, so it folds text (NFKC + lowercase) and cuts
# n-grams in numpy rather than string by string (`normalize` alone costs about 130 ns a
# character, several seconds at 100,000 listings). Its keys are "compact": 15 bits per CJK
# character instead of 16, so a key fits in 48 bits and the fit can pack a document and a
# field number beside it in one int64 and count with a single sort. The compact order is the
# order of `ngram_keys`' keys (the character ranks are monotone in the code points), so the
# sorted vocabulary is the same; `compact_to_keys` turns compact keys back.

FIT_KEY_BITS = 48
_C_CHAR = 15  # bits of a character's rank in a compact key
_C_LEN = 3 * _C_CHAR  # the token's length sits above its characters
_C_LATIN = 1 << (_C_LEN + 2)  # above every CJK key, as `_LATIN_TAG` is
_ASTRAL = 0x10000  # tables below are indexed by min(code point, _ASTRAL)


@lru_cache(maxsize=1)
def _cjk_rank() -> tuple[np.ndarray, np.ndarray]:
    """(rank of each BMP code point among the CJK ones, -1 for others; code point of each
    rank). 28,096 CJK code points: a rank fits in 15 bits."""
    cps = np.concatenate([np.arange(lo, hi + 1) for lo, hi in _CJK_RANGES]).astype(np.int64)
    rank = np.full(_ASTRAL + 1, -1, dtype=np.int64)
    rank[cps] = np.arange(len(cps))
    return rank, cps


@lru_cache(maxsize=1)
def _fold_table() -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Which BMP characters `normalize` can fold one by one, and into what.

    NFKC is decomposition, canonical reordering and composition. If no character of the
    text decomposes to a combining mark (reordering) or to a character that can be the
    second of a composed pair (composition), the NFKC of the text is the concatenation of
    its characters' NFKCs; lowercasing is then per character too, except the final sigma.
    Texts with any other character (astral ones included) are folded by `normalize`.
    Returns (ok, output length, offset into flat, flat code points)."""
    seconds = set(range(0x1161, 0x1176)) | set(range(0x11A8, 0x11C3))  # Hangul V and T
    for cp in range(0x110000):
        d = unicodedata.decomposition(chr(cp))
        if d and not d.startswith("<"):
            parts = d.split()
            if len(parts) == 2:
                seconds.add(int(parts[1], 16))
    ok = np.zeros(_ASTRAL + 1, dtype=bool)
    length = np.ones(_ASTRAL + 1, dtype=np.int64)
    offset = np.zeros(_ASTRAL + 1, dtype=np.int64)
    flat: list[int] = []
    for cp in range(_ASTRAL):
        if 0xD800 <= cp <= 0xDFFF:
            continue
        c = chr(cp)
        decomposed = unicodedata.normalize("NFKD", c)
        if any(unicodedata.combining(x) or ord(x) in seconds for x in decomposed):
            continue
        folded = unicodedata.normalize("NFKC", c)
        if "\u03a3" in folded:  # capital sigma lowercases by context
            continue
        folded = folded.lower()
        ok[cp] = True
        length[cp] = len(folded)
        offset[cp] = len(flat)
        flat.extend(map(ord, folded))
    return ok, length, offset, np.asarray(flat, dtype=np.uint32)


def encode_texts(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """The texts as one uint32 array of code points, each followed by "\n", and their
    lengths (with the "\n"): the input of `fold_encoded`."""
    if not texts:
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64)
    texts = [t if isinstance(t, str) else normalize(t) for t in texts]
    cp = np.frombuffer(("\n".join(texts) + "\n").encode("utf-32-le"), dtype=np.uint32)
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    return cp, lengths


def fold_codepoints(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """`normalize` of each text as one uint32 array of code points, each text followed by
    "\n", and the texts' folded lengths (with their "\n")."""
    return fold_encoded(*encode_texts(texts))


def fold_encoded(cp: np.ndarray, lengths: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """`fold_codepoints` of texts given as `encode_texts` gives them."""
    if not len(lengths):
        return np.zeros(0, dtype=np.uint32), np.zeros(0, dtype=np.int64)
    ok, length, offset, flat = _fold_table()
    idx = np.minimum(cp, _ASTRAL)
    good = ok[idx]
    if not good.all():
        # Texts with a character folded only in context: `normalize` them, keep the rest.
        doc_of = np.repeat(np.arange(len(lengths)), lengths)
        bad = set(np.unique(doc_of[~good]).tolist())
        del doc_of
        ends = np.cumsum(lengths).tolist()
        texts = [
            cp[end - ln : end - 1].astype("<u4").tobytes().decode("utf-32-le")
            for end, ln in zip(ends, lengths.tolist(), strict=True)
        ]
        texts = [normalize(t) if i in bad else t for i, t in enumerate(texts)]
        cp, lengths = encode_texts(texts)
        doc_bad = np.zeros(len(texts), dtype=bool)
        doc_bad[list(bad)] = True
        idx = np.minimum(cp, _ASTRAL)
        keep = np.repeat(doc_bad, lengths)  # already folded: one character each
        out_len = np.where(keep, 1, length[idx])
    else:
        keep = None
        out_len = length[idx]
    if keep is None and not (out_len != 1).any():
        return flat[offset[idx]], lengths
    # Some characters fold into several (e.g. "…" into "..."): expand.
    total = int(out_len.sum())
    starts = np.repeat(offset[idx] - (np.cumsum(out_len) - out_len), out_len)
    out = flat[np.minimum(starts + np.arange(total), max(len(flat) - 1, 0))]
    if keep is not None:
        kept = np.repeat(keep, out_len)
        out[kept] = cp[keep]
    doc_of = np.repeat(np.arange(len(lengths)), lengths)
    lengths = np.bincount(doc_of, weights=out_len, minlength=len(lengths)).astype(np.int64)
    return out, lengths


def compact_ngram_keys(
    cp: np.ndarray, lengths: np.ndarray, n: int, latin: dict[str, int]
) -> tuple[np.ndarray, np.ndarray]:
    """The tokens of `cjk_ngrams(text, n)` for each text folded by `fold_codepoints`, as
    (text index, compact key), text indices ascending. Latin/number words are numbered in
    `latin` (grown) in the order `ngram_keys` numbers them."""
    if n > 3:
        raise ValueError("n-gram keys pack at most 3 characters")
    size = len(cp)
    if not size:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    rank_of, _ = _cjk_rank()
    r = rank_of[np.minimum(cp, _ASTRAL)]
    cjk = np.zeros(size + n, dtype=bool)  # padded: a run read past the end stops
    cjk[:size] = r >= 0
    doc_of = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    # A token starts where a run starts, and at every later position with n characters
    # of the run ahead; its length is min(n, what is left of the run).
    alive = cjk[:size].copy()
    ahead = alive.astype(np.int64)
    for j in range(1, n):
        alive &= cjk[j : size + j]
        ahead += alive
    starts = cjk[:size].copy()
    starts[1:] &= ~cjk[: size - 1]
    pos = np.flatnonzero(starts | (ahead == n))
    ln = ahead[pos]
    key = np.zeros(len(pos), dtype=np.int64)
    for j in range(n):
        has = ln > j
        shifted = (key << _C_CHAR) | r[np.minimum(pos + j, size - 1)]
        key = np.where(has, shifted, key)
    key |= ln << _C_LEN
    docs = doc_of[pos]
    # Latin/number words: only in texts with an ASCII letter or digit, found by the same
    # regular expression as `cjk_ngrams` on the folded text.
    alnum = ((cp >= 0x61) & (cp <= 0x7A)) | ((cp >= 0x30) & (cp <= 0x39))
    if alnum.any():
        ends = np.cumsum(lengths)
        l_docs, l_keys = [], []
        for i in np.unique(doc_of[alnum]).tolist():
            s = cp[ends[i] - lengths[i] : ends[i] - 1].astype("<u4").tobytes().decode("utf-32-le")
            for tok in _LATIN_RUN.findall(s):
                code = latin.get(tok)
                if code is None:
                    code = latin[tok] = len(latin)
                l_docs.append(i)
                l_keys.append(code | _C_LATIN)
        if l_docs:
            docs = np.concatenate([docs, np.asarray(l_docs, dtype=np.int64)])
            key = np.concatenate([key, np.asarray(l_keys, dtype=np.int64)])
            order = np.argsort(docs, kind="stable")
            docs, key = docs[order], key[order]
    return docs, key


def compact_to_keys(ckeys: np.ndarray, out: np.ndarray | None = None) -> np.ndarray:
    """`ngram_keys`' keys of compact keys (same order), into `out` if given."""
    _, cp_of = _cjk_rank()
    # Rank -> code point, with ranks past the table (only in Latin keys) mapped to 0.
    table = np.zeros(1 << _C_CHAR, dtype=np.int64)
    table[: len(cp_of)] = cp_of
    ckeys = np.asarray(ckeys, dtype=np.int64)
    if out is None:
        out = np.empty(len(ckeys), dtype=np.int64)
    # In blocks: a fitted vocabulary holds millions of trigrams, and each step below
    # makes a temporary array its size.
    for at in range(0, len(ckeys), 1 << 20):
        ck = ckeys[at : at + (1 << 20)]
        ln = (ck >> _C_LEN) & 3
        o = ln << 48
        # Slot j counts from the last character; slots at or past the length are empty.
        for j in range(3):
            o |= (table[(ck >> (_C_CHAR * j)) & ((1 << _C_CHAR) - 1)] << (16 * j)) * (ln > j)
        latin = (ck & _C_LATIN) != 0
        o[latin] = (ck[latin] & (_C_LATIN - 1)) | _LATIN_TAG
        out[at : at + len(ck)] = o
    return out


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
