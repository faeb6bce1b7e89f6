"""What a question asks for, and whether a sentence states it: the answer kinds of the extractive answerer.

A question's kind (언제 → a time, 얼마 → an amount with its unit, 몇 → a count, 누구 → a person or an
organisation, 어디 → a place, 왜 → a reason, …) comes from agents/lexicons/answer_kinds.tsv; a sentence
states it when it holds that kind of thing *beyond the question's own words* (the question's "1989년"
is not an answer to "언제"). Money is read by the one Korean amount parser, ingest/numbers.py, so "70,000원"
in a sentence restates the question's "7만 원" rather than answering it.
"""
from __future__ import annotations

import re
from dataclasses import dataclass

from agents.lexicons import alternation, lexicon
from ingest.numbers import NUMBER, find_amounts

_KINDS = lexicon("answer_kinds")
ASKING = ("when", "days", "often", "amount", "count", "who", "where", "why", "how", "what", "yesno")
_ASKS = [(kind, re.compile(alternation(_KINDS[kind], spaced=True))) for kind in ASKING]
_TIME = re.compile(rf"\d+\s*{alternation(_KINDS['time_unit'])}|\d{{4}}\s*[-./]\s*\d{{1,2}}"
                   rf"|{alternation(_KINDS['time_word'])}")
# A quantity with its unit other than money: "15%", "300 km", "3명", "2.5배"; a bare figure ("제3조") is not
# an amount, nor is a figure inside a name ("연구개발2팀", "A3용지"). Money ("7만 원", "₩12,000", "오십만 원") is
# ingest.numbers.find_amounts', or a figure under a label that carries its unit ("투자비(백만 원): 2300").
_LABELLED_MONEY = re.compile(r"\((?:단위\s*:\s*)?[십백천만억]*\s*원\)\s*[:：]?\s*\d")
_QUANTITY = re.compile(rf"(?<![\d.,제가-힣A-Za-z])(?:{NUMBER})\s*(?:[만억조천]\s*)?(?:%|[A-Za-z]{{1,3}}\b|(?!원)[가-힣]{{1,3}})")
_COUNT = re.compile(r"(?<![가-힣A-Za-z\d])\d[\d,.]*\s*[가-힣]|(?<![가-힣])(?:한|두|세|네|다섯|여섯|일곱|여덟|아홉|열|스무)\s*"
                    r"(?:명|개|번|곳|차례|가지|권|마리|살|척|대|채|편|종)")
_REASON = re.compile(alternation(_KINDS["reason"], spaced=True))
_BOTH = re.compile(alternation(_KINDS["both"], spaced=True))
_NAME_TAGS = ("NNP", "SL", "SH")
# Words a sentence opens with when it refers back to the one before (이는, 그 경우, 이들은, 이때):
# demonstrative determiners and pronouns as Kiwi tags them.
_BACK_DETERMINERS = frozenset({"이", "그", "저", "해당", "이런", "그런", "이러한", "그러한"})
_BACK_PRONOUNS = frozenset({"이", "그", "이것", "그것", "이들", "그들", "이곳", "그곳", "여기", "거기", "이때", "그때"})


# A question for a year ("…한 연도는?", "몇 년에") wants a year, not any date; 몇 with its counter
# ("몇 대", "몇 명", "몇가지") wants that counter after a figure.
_ASKS_YEAR = re.compile(r"연도|년도|몇\s*년(?!\s*(?:동안|간|만))|어느\s*해|해는")
_YEAR = re.compile(r"\d{2,4}\s*년")
_DAYS = re.compile(r"\d+\s*일")
_PERIOD = re.compile(r"\d+\s*(?:일|주일?|개월|달|년|시간|분)\s*(?:마다|에\s*(?:한|1)\s*(?:번|회)|간격)"
                     r"|매\s*(?:일|주|월|년|분기|반기|시간)|(?:분기|반기|격주|격월|연|월|주)\s*(?:별|마다|\d+\s*회)")
_COUNTER = re.compile(r"몇\s*([가-힣]{1,2})")
_NUMERALS = r"(?:\d[\d,.]*|한|두|세|네|다섯|여섯|일곱|여덟|아홉|열|스무|백|천)"


@dataclass(frozen=True)
class Asked:
    """The kind of answer a question wants, and whether it asks for two things at once."""

    kind: str  # one of ASKING, or "" when the question says nothing about it
    two_parts: bool = False


def asked(question: str) -> Asked:
    """What `question` asks for: the first kind (in answer_kinds.tsv order) whose words it holds."""
    kind = next((k for k, pattern in _ASKS if pattern.search(question)), "")
    return Asked(kind, _asks_two(question))


_TWO_PART_KINDS = ("when", "days", "amount", "count", "who", "where", "why")  # "몇 월 며칠" is one date (when)


def _asks_two(question: str) -> bool:
    # "숙박비와 일비는 각각 얼마인가요?", "언제 어디서 태어났나?", "A는? 그리고 B는?"
    if question.count("?") >= 2 or _BOTH.search(question):
        return True
    # each kind's words are taken out before the next looks, so 몇 월's 몇 is not also a count
    found, rest = 0, question
    for kind, pattern in _ASKS:
        if kind in _TWO_PART_KINDS and pattern.search(rest):
            found += 1
            rest = pattern.sub(" ", rest)
    return found >= 2


def _new(text: str, pattern: re.Pattern, question: str) -> bool:
    """`pattern` matches in `text` somewhere the question does not already say."""
    flat = re.sub(r"\s", "", question)
    return any(re.sub(r"\s", "", m.group()) not in flat for m in pattern.finditer(text))


CHECKED_KINDS = ("when", "days", "often", "amount", "count", "who", "where", "why")  # the kinds `states` can check; others: True


def states(kind: str, text: str, tokens, question: str, question_terms: set[str]) -> bool:
    """Whether a sentence (its text and Kiwi tokens) states what a question of `kind` asks for."""
    if kind == "when":
        return _new(text, _YEAR if _ASKS_YEAR.search(question) else _TIME, question)
    if kind == "days":  # 며칠: a figure with 일, a count of days or a day of the month; "1월" does not answer it
        return _new(text, _DAYS, question)
    if kind == "often":  # 얼마나 자주: a period, "90일마다", "매월", "연 2회"
        return _new(text, _PERIOD, question)
    if kind == "amount":
        return _states_amount(text, question)
    if kind == "count":
        counter = _COUNTER.search(question)
        if counter:  # 몇 대 → "124대", 몇가지 → "4가지"; the counter's first syllable is enough (몇 명이 → 명)
            return _new(text, re.compile(rf"{_NUMERALS}\s*{re.escape(counter.group(1)[0])}"), question)
        return _new(text, _COUNT, question)
    if kind in ("who", "where"):
        # a name the question does not hold: a proper noun, or one written in Latin letters or hanja
        return any(t.tag.startswith(_NAME_TAGS) and t.form not in question_terms and t.form not in question
                   for t in tokens)
    if kind == "why":
        return _REASON.search(text) is not None
    return True


def _states_amount(text: str, question: str) -> bool:
    """An amount of money the question does not already name (compared by value), or a quantity with its unit."""
    money = find_amounts(text)
    named = {a.value for a in find_amounts(question)}
    if any(a.value not in named for a in money) or _LABELLED_MONEY.search(text):
        return True
    rest = "".join(" " if any(a.start <= i < a.end for a in money) else c for i, c in enumerate(text))
    return _new(rest, _QUANTITY, question)


def refers_back(tokens) -> bool:
    """Whether a sentence opens by pointing at the sentence before it ("이는 …", "그 경우 …", "이들은 …")."""
    words = [t for t in tokens if not t.tag.startswith(("S", "W"))][:2]
    if not words:
        return False
    head = words[0]
    if head.tag == "MM" and head.form in _BACK_DETERMINERS:
        return True
    if head.tag == "NP" and head.form in _BACK_PRONOUNS:
        return True
    return head.tag == "MAG" and head.form in ("이때", "그때", "이에")
