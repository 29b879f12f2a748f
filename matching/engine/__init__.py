"""The ranking core: text relevance plus the market's criteria, on plain `Record`s.

One `Index` is fitted on one side of the market and queried by records of the other side:
an index of achievements ranks achievements for a demand, an index of demands ranks demands
for an achievement. Criteria are directional (a demand needs a TRL, an achievement offers
one), so every pair is read as (demand, achievement) whichever side was indexed.

Text relevance is BM25F fused over three views of the same text: jieba words, CJK
character bigrams and trigrams. Words carry meaning; character n-grams recover matches that
segmentation splits differently in a short colloquial demand and in a long abstract. Each
view's score is divided by the query's upper bound for that view (every query term
saturated in the listing), so the text score lies in [0, 1) and means the same for every
query: stored scores stay comparable and owners' notification thresholds make sense.

The other criteria add a bounded contribution in [-weight, +weight] and are 0 when either
side lacks the data: a listing without a TRL or a price is neither rewarded nor punished.
A pair with no text in common is never a match; criteria only re-rank text candidates.

Modules, each importing only those above it:

- `weights`: `Weights`, what each criterion counts (plain Python, no numpy).
- `criteria`: the non-text attributes as arrays and each criterion's value.
- `sharedmem`: arrays handed back from forked fit workers through shared memory.
- `views`: the text views (words, n-grams), their BM25F weights and the fit's counting.
- `postings`: every view's fitted rows fused into one term space, rare and common terms.
- `workers`: forked processes for ranking and for fitting the views side by side.
- `index`: `Index` (fit, pruned top-k, the other direction's lists, explanations),
  `Match`, `QueryBatch` and `Engine`.

Import from the module that holds a name. This package imports nothing itself, so that
`matching.models` can read `Weights` without loading scipy.
"""
