"""The fast fit gives the straightforward fit's numbers, to the bit.

The fit folds text and cuts n-grams in numpy (`text.fold_codepoints`,
`text.compact_ngram_keys`), counts tokens with one sort a chunk and writes the BM25F
weights straight into the term-major postings (`_View.fit`), and may run views in forked
workers that hand their arrays back through shared memory. Each is compared here with the
plain path on small random data, chunk sizes shrunk so every boundary is crossed."""

import os
import random
import shutil
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np
import pytest

from matching import text
from matching.engine import sharedmem, views, workers
from matching.engine.index import Index
from matching.engine.views import _NgramView, _split_terms, _TokenView, _View
from matching.engine.workers import _can_fork
from matching.records import Record

# Characters that fold alone, that fold only in context (combining marks, Hangul jamo, the
# capital sigma), that fold into several ("…", "㎏", "ﬁ"), astral ones, and separators.
ALPHABET = (
    [chr(c) for c in range(0x4E00, 0x4E30)]
    + [chr(c) for c in range(0x3400, 0x3408)]
    + [chr(c) for c in range(0xF900, 0xF906)]
    + list("abcXYZ019-. ，。、（）：％＋")
    + ["\uff21", "\uff41", "\u2460", "\u00b2", "\u2160", "\u00a0", "\u3000", "\u00b5"]
    + ["\u2026", "\u338f", "\ufb01", "\u2103", "\u03a3", "\u0130", "\u0301", "\u00e9"]
    + ["\uac00", "\u1100", "\u1161", "\U0001f600", "\ufa0e", "\n"]
)


def _random_texts(rng: random.Random, n: int, cjk_only: bool = False) -> list[str]:
    pool = ALPHABET[:60] if cjk_only else ALPHABET
    return ["".join(rng.choice(pool) for _ in range(rng.randint(0, 25))) for _ in range(n)]


def test_fold_codepoints_is_normalize():
    rng = random.Random(4)
    for trial in range(300):
        texts = _random_texts(rng, rng.randint(0, 12), cjk_only=trial % 3 == 0)
        cp, lengths = text.fold_codepoints(texts)
        assert cp.astype("<u4").tobytes().decode("utf-32-le") == "".join(
            text.normalize(t) + "\n" for t in texts
        )
        assert lengths.tolist() == [len(text.normalize(t)) + 1 for t in texts]


@pytest.mark.parametrize("n", [1, 2, 3])
def test_compact_ngram_keys_are_ngram_keys(n):
    rng = random.Random(n)
    for trial in range(200):
        texts = _random_texts(rng, rng.randint(0, 12), cjk_only=trial % 3 == 0)
        want_latin: dict[str, int] = {}
        docs, keys = text.ngram_keys(texts, n, want_latin, grow=True)
        latin: dict[str, int] = {}
        cdocs, ckeys = text.compact_ngram_keys(*text.fold_codepoints(texts), n, latin)
        assert list(latin.items()) == list(want_latin.items())  # same numbering
        assert np.all(np.diff(cdocs) >= 0) and np.all(ckeys < 2**text.FIT_KEY_BITS)
        got = zip(cdocs.tolist(), text.compact_to_keys(ckeys).tolist(), strict=True)
        assert Counter(got) == Counter(zip(docs.tolist(), keys.tolist(), strict=True))
        distinct = np.unique(ckeys)  # the same order as the keys they stand for
        assert np.all(np.diff(text.compact_to_keys(distinct)) > 0)


def _records(rng: random.Random, n: int) -> list[Record]:
    out = []
    for i in range(n):
        words = _random_texts(rng, 3, cjk_only=True)
        keywords = tuple(w for w in words if w and rng.random() < 0.5)
        title = "".join(rng.choice(words) for _ in range(rng.randint(0, 4)))
        # Repeated words, so counts above 1 and terms in several fields.
        description = "，".join(rng.choice(words) for _ in range(rng.randint(0, 30)))
        if rng.random() < 0.3:
            description += " " + "".join(_random_texts(rng, 1))
        out.append(Record(id=f"R{i}", title=title, description=description, keywords=keywords))
    return out


def _reference_split(view: _View, records: list[Record], common_df: int):
    """What the fit computed before it was fast: count matrices per field, `_weights`,
    IDF, `_saturate`, `_split_terms`."""
    fields = _View._field_texts(records)
    view._reset_vocab()
    if isinstance(view, _NgramView):
        keys = [
            text.ngram_keys(texts, view.n, view.latin, grow=True)[1] for texts in fields.values()
        ]
        view.keys = np.unique(np.concatenate(keys))
    view.n_docs = len(records)
    acc = view._weights(fields, fit=True)
    df = np.bincount(acc.indices, minlength=acc.shape[1]).astype(np.float64)
    view.idf = np.log((view.n_docs - df + 0.5) / (df + 0.5) + 1.0).astype(np.float32)
    return _split_terms(view._saturate(acc), common_df)


def _same_split(a, b) -> None:
    assert np.array_equal(a[0], b[0])
    for x, y in ((a[1], b[1]), (a[2], b[2])):
        assert x.shape == y.shape
        assert np.array_equal(x.indptr, y.indptr) and np.array_equal(x.indices, y.indices)
        assert x.data.dtype == y.data.dtype == np.float32
        assert np.array_equal(x.data, y.data)


def _small_chunks(monkeypatch) -> None:
    monkeypatch.setattr(views, "_FIT_CHUNK", 7)
    monkeypatch.setattr(_NgramView, "CHUNK", 5)


@pytest.mark.parametrize("n_records", [0, 1, 40, 300])
@pytest.mark.parametrize("common_df", [2, 10_000])
def test_view_fit_gives_the_reference_weights(monkeypatch, n_records, common_df):
    _small_chunks(monkeypatch)
    records = _records(random.Random(n_records), n_records)
    for make in (
        lambda: _NgramView(2),
        lambda: _NgramView(3),
        lambda: _TokenView(text.cjk_trigrams),  # a Python tokenizer, numbered in a dict
    ):
        fast, slow = make(), make()
        split = fast.fit(records, common_df)
        want = _reference_split(slow, records, common_df)
        _same_split(split, want)
        assert np.array_equal(fast.idf, slow.idf)
        assert fast.avg_len == slow.avg_len and fast.n_fit == slow.width
        if isinstance(fast, _NgramView):
            assert np.array_equal(fast.keys, slow.keys)
            assert list(fast.latin.items()) == list(slow.latin.items())
        else:
            assert list(fast.vocab.items()) == list(slow.vocab.items())


def test_chunk_vocabulary_in_ranges_is_the_whole_one():
    rng = np.random.default_rng(2)
    chunks = [
        views._ChunkCounts(
            0,
            np.unique(rng.integers(0, 500, size=int(rng.integers(0, 200)))),
            np.zeros(0, np.uint16),
            np.zeros(0, np.uint16),
            np.zeros((3, 0), np.uint8),
        )
        for _ in range(9)
    ]
    keys = [c.keys.copy() for c in chunks]
    vocab = views._chunk_vocabulary(chunks, parts=4)
    assert np.array_equal(vocab, np.unique(np.concatenate(keys)))
    for c, k in zip(chunks, keys, strict=True):
        assert np.array_equal(vocab[c.keys], k)


VIEWS = {
    "word": lambda s: text.cjk_ngrams(s, 1),
    "bigram": text.cjk_bigrams,
    "trigram": text.cjk_trigrams,
}


def _same_postings(a: Index, b: Index) -> None:
    pa, pb = a._postings, b._postings
    for x, y in ((pa.rare_t, pb.rare_t), (pa.common_t, pb.common_t), (pa.common, pb.common)):
        assert x.shape == y.shape
        for u, v in ((x.data, y.data), (x.indices, y.indices), (x.indptr, y.indptr)):
            assert u.dtype == v.dtype and np.array_equal(u, v)
    assert np.array_equal(pa.common_max, pb.common_max)
    for name in a.views:
        assert np.array_equal(a.views[name].idf, b.views[name].idf)


@pytest.fixture
def own_shm(monkeypatch):
    """A folder of this test's own in shared memory for the fit workers' hand-over files.
    Other processes (xdist workers, other jobs on the machine) use /dev/shm at the same time,
    so only the files this test's fits create are compared, and they are all in here."""
    if not os.path.isdir(sharedmem._SHM_DIR):
        pytest.skip(f"{sharedmem._SHM_DIR} is absent: fit results always travel pickled")
    folder = Path(tempfile.mkdtemp(prefix=f"matching-test-{os.getpid()}-", dir=sharedmem._SHM_DIR))
    monkeypatch.setattr(sharedmem, "_SHM_DIR", str(folder))
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def _spy_hand_overs(monkeypatch) -> list:
    """The layouts of the results the parent receives (None: they came pickled)."""
    layouts = []
    original = workers._from_shared

    def spy(payload):
        layouts.append(payload[1])
        return original(payload)

    monkeypatch.setattr(workers, "_from_shared", spy)
    return layouts


@pytest.mark.skipif(not _can_fork(), reason="fork is not available")
@pytest.mark.parametrize("shm", [True, False])
def test_forked_fit_gives_the_serial_index(monkeypatch, own_shm, shm):
    _small_chunks(monkeypatch)
    if not shm:  # the results come back pickled
        monkeypatch.setattr(sharedmem, "_SHM_DIR", "/nonexistent/matching-shm")
    monkeypatch.setattr(sharedmem, "_SHM_MIN_BYTES", 64)
    layouts = _spy_hand_overs(monkeypatch)
    records = _records(random.Random(9), 400)
    serial = Index("achievement", views=VIEWS, common_df=8).fit(records)
    forked = Index("achievement", views=VIEWS, common_df=8).fit(records, workers=2)
    if shm:  # handed over through files of this test's folder, every one unlinked
        paths = [Path(path) for layout in layouts for _dtype, _shape, path in layout or ()]
        assert paths and all(path.parent == own_shm for path in paths)
    else:
        assert layouts and all(layout is None for layout in layouts)
    assert list(own_shm.iterdir()) == []
    _same_postings(serial, forked)
    queries = _records(random.Random(10), 30)
    for index in (serial, forked):
        index.add(Record(id="new", title=queries[0].title, description=queries[1].description))
    want = serial.rank_many(queries, 10, exhaustive=True)
    got = forked.rank_many(queries, 10)
    assert [[(m.target_id, m.score) for m in r] for r in got] == [
        [(m.target_id, m.score) for m in r] for r in want
    ]


@pytest.mark.skipif(not _can_fork(), reason="fork is not available")
def test_a_failing_fit_worker_is_reported_and_leaves_no_files(monkeypatch, own_shm):
    records = _records(random.Random(3), 50)

    parent, original = os.getpid(), _NgramView._fit_tokens

    def broken(self, texts):  # in the forked worker only
        if os.getpid() != parent:
            raise MemoryError("no room")
        return original(self, texts)

    monkeypatch.setattr(_NgramView, "_fit_tokens", broken)
    with pytest.raises(RuntimeError, match="no room"):
        Index("achievement", views=VIEWS).fit(records, workers=2)
    assert list(own_shm.iterdir()) == []


@pytest.mark.skipif(not _can_fork(), reason="fork is not available")
def test_a_worker_failing_after_writing_its_arrays_unlinks_them(monkeypatch, own_shm):
    # The worker fails once its fit has written arrays into shared memory (it says how many
    # files there were), before handing them over: they must not outlive it.
    records = _records(random.Random(3), 50)
    parent = os.getpid()
    original = _View.state

    def broken(self):
        if os.getpid() != parent:
            raise MemoryError(f"no room after {len(list(own_shm.iterdir()))} files")
        return original(self)

    monkeypatch.setattr(_View, "state", broken)
    with pytest.raises(RuntimeError, match=r"no room after [1-9][0-9]* files"):
        Index("achievement", views=VIEWS).fit(records, workers=2)
    assert list(own_shm.iterdir()) == []
