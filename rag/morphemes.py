"""Korean morphemes for retrieval: one Kiwi per process and the content-morpheme filter.

Both the splitter (at ingestion) and the lexical index (at query time) take their terms from
here (`lexical_terms`), so a document and a question are always tokenized the same way.
"""
from __future__ import annotations

import re
import threading
from collections import OrderedDict
from collections.abc import Iterable, Sequence

from kiwipiepy import Kiwi, Token

# Content morphemes only. Kiwi's default Stopwords keep 있, 습니다 and friends, so an allowlist:
# nouns, numerals, verb/adjective stems, roots, adverbs, foreign words, numbers, hanja.
# Irregular stems carry suffixes (VV-R, VA-I), so tags are matched by prefix.
CONTENT_TAG_PREFIXES = ("NNG", "NNP", "NR", "VV", "VA", "XR", "MAG", "SL", "SN", "SH")
# Noun-like morphemes that form a phrase with their neighbour: 시중/은행, 개인/정보/보호/법, 2024/년도.
PHRASE_TAG_PREFIXES = ("NNG", "NNP", "NR", "XR", "SL", "SN", "SH")
# A change to the terms `lexical_terms` makes needs a migration that marks stored terms stale
# (rag/migrations.py, `mark_terms_stale`): KBs are then re-tokenized once by their next writer.

_lock = threading.Lock()
_kiwi: Kiwi | None = None


def shared_kiwi(num_workers: int = 0) -> Kiwi:
    """The process-wide Kiwi (≈0.5 GB, ≈3 s to build and warm): built once, then reused."""
    global _kiwi
    with _lock:
        if _kiwi is None:
            kiwi = Kiwi(num_workers=num_workers or -1)
            kiwi.tokenize("")  # the first call loads the language model; pay it here
            _kiwi = kiwi
        return _kiwi


# Kiwis with a user dictionary, most recently used last. Each is ≈0.5 GB, so only a few stay: a
# process serving many KBs (the API, a worker) keeps the two in use now (say a reader's KB and the
# one being ingested) and rebuilds an evicted one in ≈3 s, rather than growing by 0.5 GB per dictionary
# it ever met. A KB re-tokenized with a new dictionary also leaves its old Kiwi behind here.
CUSTOM_KIWIS = 2
_custom: OrderedDict[tuple[tuple[str, str], ...], Kiwi] = OrderedDict()


def kiwi_with(words: tuple[tuple[str, str], ...], num_workers: int = 0) -> Kiwi:
    """A Kiwi that knows a KB's user dictionary (company terms, 약어, product codes).

    Kiwi's dictionary is per instance, so each distinct dictionary gets its own instance
    (≈0.5 GB), kept while among the `CUSTOM_KIWIS` most recently used; a KB without one
    shares `shared_kiwi`.
    """
    if not words:
        return shared_kiwi(num_workers)
    with _lock:
        kiwi = _custom.get(words)
        if kiwi is None:
            kiwi = _custom[words] = _build_kiwi(words, num_workers)
            while len(_custom) > CUSTOM_KIWIS:
                _custom.popitem(last=False)  # freed once no KB or splitter holds it
        _custom.move_to_end(words)
        return kiwi


def _build_kiwi(words: tuple[tuple[str, str], ...], num_workers: int) -> Kiwi:
    # Nothing of this is kept between processes: Kiwi has no saved compiled form (kiwipiepy 0.24 pickles
    # a Kiwi by calling its constructor again, and refuses one whose dictionary was changed), and none
    # is needed — adding 10,000 words costs 0.02 s CPU against ≈2.5 s for Kiwi itself, and a cold
    # `korag search` on a KB with 1,000 user words is as fast as one without (bench/cli_startup.py).
    kiwi = Kiwi(num_workers=num_workers or -1)
    for form, tag in words:
        kiwi.add_user_word(form, tag, 0.0)
    kiwi.tokenize("")  # the first call loads the language model; pay it here
    return kiwi


def content_terms(tokens: Sequence[Token]) -> list[str]:
    """BM25 terms for a token sequence: content morphemes, with a number joined to its unit.

    "15일" tokenizes as 15/SN 일/NNB; the dependent noun alone is noise, but "15일" as one
    term is what a person searches for, so it is kept as well as "15".
    """
    terms: list[str] = []
    previous: Token | None = None
    for token in tokens:
        tag = token.tag
        if tag.startswith(CONTENT_TAG_PREFIXES):
            terms.append(_form(token))
        elif tag == "NNB" and previous is not None and previous.tag == "SN" and previous.end == token.start:
            terms.append(previous.form + token.form)
        previous = token
    return terms


def noun_pairs(tokens: Sequence[Token]) -> list[str]:
    """Adjacent noun pairs as single terms ("시중_은행"), the lexical index's phrase terms.

    Two noun-like morphemes in a row, written together or one space (or line break) apart, are
    one term besides their own: Korean compounds are spelt both ways (시중은행, 시중 은행), and
    Kiwi splits both into the same morphemes. Unigrams alone cannot tell "은행 인가 절차" from a
    page that mentions 은행, 인가 and 절차 in three places; a pair can — the neighbouring pages of
    one report share their vocabulary, not their phrases. On autorag_ko this lifted BM25 from
    hit@1 0.868 / nDCG@10 0.942 to 0.912 / 0.963 (bench/fusion_variants.py). A particle, ending or
    punctuation between two nouns breaks the pair.
    """
    pairs = []
    for left, right in zip(tokens, tokens[1:]):
        if (left.tag.startswith(PHRASE_TAG_PREFIXES) and right.tag.startswith(PHRASE_TAG_PREFIXES)
                and 0 <= right.start - left.end <= 1):
            pairs.append(f"{_form(left)}_{_form(right)}")
    return pairs


_HANGUL = re.compile(r"[가-힣]")


def same_word(term: str, other: str) -> bool:
    """Two terms that name the same thing though Kiwi split them differently: equal, or both Hangul of two
    syllables or more with one inside the other ("대학교" in "고려대학교", "숙박" in "숙박비"). Never figures:
    "20" is not part of "2025"."""
    if term == other:
        return True
    return (len(term) >= 2 and len(other) >= 2 and (term in other or other in term)
            and _HANGUL.search(term) is not None and _HANGUL.search(other) is not None)


def _form(token: Token) -> str:
    return token.form.lower() if token.tag == "SL" else token.form


def lexical_terms(tokens: Sequence[Token]) -> list[str]:
    """The BM25 terms of a token sequence: content morphemes, then adjacent noun pairs."""
    return content_terms(tokens) + noun_pairs(tokens)


def lexical_terms_of(kiwi: Kiwi, text: str) -> list[str]:
    """BM25 terms of one text (a query)."""
    return lexical_terms(kiwi.tokenize(text))


def lexical_terms_many(kiwi: Kiwi, texts: Iterable[str]) -> list[list[str]]:
    """BM25 terms of many texts (chunks, headings), tokenized in parallel by Kiwi's workers."""
    texts = list(texts)
    if not texts:
        return []
    return [lexical_terms(tokens) for tokens in kiwi.tokenize(texts)]


def morphemes(kiwi: Kiwi, text: str) -> list[str]:
    """Content morphemes of one text (a query, a table row)."""
    return content_terms(kiwi.tokenize(text))
