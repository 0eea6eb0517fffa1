"""Chinese word segmentation (中文分词) of the policy library: rjieba with government terms.

The segmenter is rjieba (a Rust port of jieba) loaded once, lazily, with the government-terms
dictionary (政务术语) ``data/terms.txt`` and the words of ``data/synonyms.txt`` added, so that
一网通办, 免申即享 or 碳账户 stay one word. The hidden-Markov model that guesses unknown words
is off at index and query time alike: a word missing from the dictionary then falls apart into
the same pieces in a document and in a query, and a phrase of those pieces finds it.

- :func:`tokens` — index-time segmentation in search mode (the words and the dictionary words
  inside them: 数字政府 → 数字, 政府, 数字政府), lower-cased, without spaces.
- :func:`words` — query-time segmentation in precise mode (each character once).
- :data:`GOVERNMENT_TERMS` and :func:`key_terms` — the dictionary terms present in a text, for
  the reading view to highlight.
- :data:`SYNONYMS` and :func:`synonyms` — synonym groups (同义词), applied at query time.
"""

from __future__ import annotations

import re
from collections import Counter
from functools import cache
from pathlib import Path

import rjieba

DATA = Path(__file__).resolve().parent.parent / "data"
# a high frequency so that a term wins over the general dictionary's split of it
TERM_FREQUENCY = 200_000


def _lines(name: str) -> list[str]:
    text = (DATA / name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and line[0] != "#"]


def _synonym_groups() -> dict[str, tuple[str, ...]]:
    groups: dict[str, tuple[str, ...]] = {}
    for line in _lines("synonyms.txt"):
        group = tuple(dict.fromkeys(word.lower() for word in line.split()))
        for word in group:
            groups[word] = tuple(dict.fromkeys((*groups.get(word, ()), *group)))
    return groups


GOVERNMENT_TERMS: frozenset[str] = frozenset(_lines("terms.txt"))
# word → every word of its group(s), itself first
SYNONYMS: dict[str, tuple[str, ...]] = _synonym_groups()

# a token that carries meaning: letters, digits or CJK ideographs (not punctuation, not spaces)
_WORDY = re.compile(r"[0-9a-z\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]")


@cache
def segmenter() -> rjieba.Jieba:
    """The one rjieba instance, with the government terms and synonyms in its dictionary."""
    jieba = rjieba.Jieba()
    for term in sorted(GOVERNMENT_TERMS | set(SYNONYMS)):
        jieba.add_word(term, TERM_FREQUENCY, None)
    return jieba


def tokens(text: str) -> list[str]:
    """Index-time segmentation (search mode, lower-cased), without spaces and punctuation."""
    return [t for t in segmenter().cut_for_search(text.lower(), False) if _WORDY.search(t)]


def index_text(text: str) -> str:
    """``text`` segmented in search mode as one string of space-separated tokens — what the
    engine indexes (its whitespace analyzer drops nothing else), cheaper than :func:`tokens`."""
    return " ".join(segmenter().cut_for_search(text.lower(), False))


def positioned(text: str) -> list[tuple[int, str]]:
    """The precise-mode words of ``text`` at the positions the index gives them: search mode
    emits each word's dictionary sub-words before it (数字政府 → 数字, 政府, 数字政府), and
    punctuation takes a position, spaces do not — for phrase queries."""
    jieba = segmenter()
    found = []
    position = 0
    for word in jieba.cut(text.lower(), False):
        if word.isspace():
            continue
        position += len(jieba.cut_for_search(word, False))
        if _WORDY.search(word):
            found.append((position - 1, word))
    return found


def words(text: str) -> list[str]:
    """Query-time segmentation (precise mode, lower-cased), without spaces and punctuation."""
    return [t for t in segmenter().cut(text.lower(), False) if _WORDY.search(t)]


def is_wordy(token: str) -> bool:
    """True when ``token`` has a letter, digit or ideograph (not only punctuation)."""
    return _WORDY.search(token.lower()) is not None


def synonyms(word: str) -> tuple[str, ...]:
    """``word`` and its synonyms (``word`` first)."""
    found = SYNONYMS.get(word.lower())
    return found if found else (word.lower(),)


@cache
def _terms_pattern() -> re.Pattern[str]:
    # longest first, so that 掌上办事之城 wins over 掌上办事
    ordered = sorted(GOVERNMENT_TERMS, key=len, reverse=True)
    return re.compile("|".join(re.escape(term) for term in ordered))


def key_terms(text: str, limit: int = 20) -> list[str]:
    """The distinct government terms in ``text``, most frequent first (then first seen)."""
    counts: Counter[str] = Counter(m.group(0) for m in _terms_pattern().finditer(text))
    return [term for term, _ in counts.most_common(limit)]
