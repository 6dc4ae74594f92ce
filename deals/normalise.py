"""Customer identity: normalised company names, registrable domains, and when two names are the same customer.

Two records are the same customer when they share a registrable domain (from the website, else a
contact's email, never a free-mail provider) or when `compare_names` accepts their normalised names.
Everything here is pure Python with no database: deal conflicts (`deals.conflicts`) and lead dedupe
use the same rule, and both database backends reach the same answers because they run this code.

The name rule, in short. Names are normalised (case, accents, umlauts transliterated, punctuation,
a leading "The", trailing legal forms even when misspelt). Each word weighs what it says about
*which* company is meant: legal forms and little words almost nothing, descriptive words
("services", "industries") and sector words ("bank", "software") little, and any other word less the
more of the tenant's own customer names contain it (`NameStats`). Words pair up when equal, equal
up to transliteration ("jaeger"/"jager"), one edit apart in longer words, or run together
("coca cola"/"cocacola"). Two names match when they are the same name, when one is the initials of
the other ("ibm"), when every word pairs up, or when they share a distinctive word and the paired
words carry most of the weight of both names (`MATCH_THRESHOLD`). `identity_keys` and `name_search`
turn this rule into an exact candidate filter (an indexed array overlap on PostgreSQL): any pair the
rule accepts shares a key, so the filter never drops a match.
"""

from __future__ import annotations

import functools
import math
import re
import unicodedata
from dataclasses import dataclass, field

from prm.domains import company_domain

# The trigram threshold of the earlier rule; `trigram_similarity` is kept for callers that rank by it.
NAME_SIMILARITY_THRESHOLD = 0.5
MATCH_THRESHOLD = 0.55  # paired weight / weight of both names (weighted Jaccard) for a word match
DISTINCTIVE_WEIGHT = 0.5  # a word at least this heavy can identify a company by itself
DESCRIPTIVE_WEIGHT = 0.2
SECTOR_WEIGHT = 0.45
MINOR_WEIGHT = 0.05
TYPO_SIMILARITY = 0.9
TYPO_MIN_LENGTH = 5  # one inserted, dropped or swapped letter in words this long
SUBSTITUTION_MIN_LENGTH = 6  # one wrong letter in words this long ("nikon"/"nixon" are two companies)

LEGAL_SUFFIXES = frozenset({
    "inc", "incorporated", "llc", "ltd", "limited", "gmbh", "ag", "sa", "sas", "bv", "nv", "corp",
    "corporation", "co", "plc", "pty", "company", "llp", "lp", "srl", "sarl", "spa", "oy", "ab",
    "kg", "kgaa", "se", "ug", "sl", "sro", "as", "aps", "kk", "bhd", "sdn", "pte", "pvt",
    "oyj", "asa", "publ", "aktiengesellschaft", "mbh", "ltda", "lda", "kft", "zrt", "ooo", "oao", "zao",
    "pao", "ks", "pjsc", "jsc", "ulc", "pllc", "bvba", "ohg", "gbr", "sasu", "eurl", "ооо", "оао", "зао", "пао",
})
# Misspelt legal forms are stripped too ("Umbrella Corporaton"), for these longer ones only.
_FUZZY_LEGAL = frozenset(w for w in LEGAL_SUFFIXES if len(w) >= 7)
_LEADING_WORDS = frozenset({"the", "ooo", "oao", "zao", "pao", "ооо", "оао", "зао", "пао"})
# Legal forms written without spaces in Chinese and Japanese, at either end of the name.
_CJK_LEGAL = ("股份有限公司", "有限责任公司", "有限公司", "株式会社", "有限会社", "合同会社")
STOPWORDS = frozenset({"and", "of", "the", "for", "de", "del", "der", "die", "das", "du", "des", "la", "le",
                       "el", "y", "und", "et", "e", "van", "von", "di", "da"})
# Umlauts and Nordic letters are transliterated the German/Danish way (å as "aa", the Danish and
# Norwegian spelling: Ålborg = Aalborg); `fold` then makes "jaeger" = "jager" and "aalborg" = "alborg".
_TRANSLITERATE = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ø": "o", "æ": "ae", "å": "aa",
                                "œ": "oe", "þ": "th", "ð": "d", "đ": "d", "ł": "l", "ı": "i"})
FOLDS = (("ae", "a"), ("oe", "o"), ("ue", "u"), ("aa", "a"))
# Dots and apostrophes join ("S.A." -> "sa", "McDonald's" -> "mcdonalds"); other punctuation splits.
_WEB_SUFFIX = re.compile(r"\.(?:com|net|org|io|ai|co)\b")
_SLASH_FORMS = re.compile(r"\b([ak])/s\b")  # Danish and Norwegian A/S, K/S
_JOINERS = re.compile(r"[.'’`´]")
_SPLITTERS = re.compile(r"[^\w\s]|_")
_DIGITS = frozenset("0123456789")

# Words that describe a company rather than name it (any language the portal serves).
DESCRIPTIVE_WORDS = frozenset("""
services service solutions solution group groupe gruppe grupo groep gruppen gruppo holdings holding
international intl global worldwide world industries industry industrial enterprises enterprise
technologies technology tech systems system partners partner associates ventures capital management
labs lab laboratories products company companies corporate business commercial professional
national federal royal general united first new universal advanced applied integrated innovative
innovation innovations smart strategic strategies direct express plus pro one hub works brands
brand center centre centers centres platform platforms resources trust american european asian
pacific atlantic north south east west northern southern eastern western british dutch german
french swiss japanese chinese indian canadian australian deutsche nippon china japan india
america canada germany france europe asia usa uk africa standard premier global gesellschaft
societe compagnie compania companhia empresa entreprise sociedad dienstleistungen verwaltung
servicios servicos servizi soluciones solucoes soluzioni consultores sistemas sistemi systeme
tecnologia tecnologias tecnologie technik techniek organisation organization cooperative
""".split())
# Words that name a line of business: they tell companies apart a little, not much.
SECTOR_WORDS = frozenset("""
consulting consultants consultancy consult advisory advisors software digital networks network
cloud data analytics computing computers computer informatics information internet web online
media communications telecom telecommunications telekom telecommunication mobile wireless
financial finance bank banking banque banca banco insurance assurance assurances versicherung
investments investment investors securities asset assets wealth credit lending mortgage payments
realty properties property estate health healthcare medical pharma pharmaceuticals
pharmaceutical biotech bio life sciences logistics logistik transport transportation shipping
freight motors motor automotive auto cars airlines airline airways aviation aerospace defence
defense foods food beverages retail stores markets marketing agency studio studios design
creative security energy power electric electrical electronics chemicals chemical materials steel
metals mining oil gas petroleum construction engineering manufacturing machinery machines
equipment devices instruments hosting storage semiconductors semiconductor robotics automation
entertainment games gaming publishing education learning academy institute university school
college hotels hotel hospitality travel tourism staffing recruitment outsourcing facility
facilities environmental water waste recycling solar wind renewables agriculture farms textiles
fashion apparel beauty cosmetics sports fitness packaging printing paper plastics furniture
trading traders distribution supply supplies wholesale imports exports development research air space
assicurazioni seguros versicherungen
monitoring dental clinic clinics hospital care savings mutual beratung handel bau medien
informatique ingenierie conseil
""".split())


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1:] for i in range(len(word))}


def _typo_tolerant(word: str) -> bool:
    return len(word) >= TYPO_MIN_LENGTH and not _DIGITS.intersection(word)


def one_edit_apart(a: str, b: str) -> bool:
    """One letter inserted, dropped or two neighbours swapped (words ≥ TYPO_MIN_LENGTH), or one
    letter replaced (words ≥ SUBSTITUTION_MIN_LENGTH); never in words with digits ("area 51")."""
    if a == b or not (_typo_tolerant(a) and _typo_tolerant(b)) or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        if len(diffs) == 1:
            return len(a) >= SUBSTITUTION_MIN_LENGTH
        i = diffs[0]
        return len(diffs) == 2 and diffs[1] == i + 1 and a[i] == b[i + 1] and a[i + 1] == b[i]
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    i = 0
    while i < len(short) and short[i] == long_[i]:
        i += 1
    return short[i:] == long_[i + 1:]


@functools.lru_cache(maxsize=8)
def _variants(vocabulary: frozenset[str]) -> dict[str, tuple[str, ...]]:
    index: dict[str, list[str]] = {}
    for w in vocabulary:
        if _typo_tolerant(w):
            for k in {w} | _deletions(w):
                index.setdefault(k, []).append(w)
    return {k: tuple(v) for k, v in index.items()}


def _near(word: str, vocabulary: frozenset[str]) -> bool:
    """In the vocabulary, or one edit from one of its words (found through shared deletions)."""
    if word in vocabulary:
        return True
    if not _typo_tolerant(word):
        return False
    index = _variants(vocabulary)
    return any(one_edit_apart(word, w) for k in {word} | _deletions(word) for w in index.get(k, ()))


def _strip_cjk_legal(word: str) -> str:
    for form in _CJK_LEGAL:
        if word.endswith(form) and len(word) > len(form):
            return word[: -len(form)]
        if word.startswith(form) and len(word) > len(form):
            return word[len(form):]
    return word


def normalise_company_name(name: str) -> str:
    """'The Acme, Inc.' -> 'acme'; 'Société Générale S.A.' -> 'societe generale'; 'Müller' -> 'mueller'.

    Case, accents, punctuation, a leading "The" and trailing legal forms (also misspelt ones) are
    ignored; umlauts, ß, ø, æ and å are transliterated. A name made only of such words keeps them
    (so "The Company Ltd" stays recognisable rather than empty).
    """
    text = unicodedata.normalize("NFC", name or "").casefold().translate(_TRANSLITERATE)
    text = unicodedata.normalize("NFKD", text)
    text = "".join(ch for ch in text if not unicodedata.combining(ch))
    text = text.replace("&", " and ")
    text = _WEB_SUFFIX.sub(" ", _SLASH_FORMS.sub(r"\1s", text))
    text = _JOINERS.sub("", text)
    text = _SPLITTERS.sub(" ", text)
    words = [_strip_cjk_legal(w) for w in text.split()]
    if not words:
        return ""
    original = list(words)
    if len(words) > 1 and words[0] in _LEADING_WORDS:
        words = words[1:]
    while len(words) > 1 and (words[-1] in LEGAL_SUFFIXES or words[-1] == "and" or _near(words[-1], _FUZZY_LEGAL)):
        words.pop()
    return " ".join(words) or " ".join(original)


def customer_domain(*, website: str = "", email: str = "") -> str:
    """The customer's registrable domain (shop.acme.co.uk -> acme.co.uk), '' for free mail."""
    return company_domain(website=website, email=email)


def customer_key(*, name_normalised: str, domain: str) -> str:
    """The exact identity used by the database constraint on protected registrations.

    Fuzzy matches (similar names) are caught by the locked re-check in the approval service;
    this key lets the database itself refuse two protections for the very same customer.
    """
    return f"d:{domain}" if domain else f"n:{name_normalised}"[:255]


@functools.lru_cache(maxsize=65536)
def trigrams(text: str) -> frozenset[str]:
    """pg_trgm's trigram set: each alphanumeric word, lower-cased, padded '  word '."""
    result: set[str] = set()
    for word in re.findall(r"[^\W_]+", text.lower()):
        padded = f"  {word} "
        result.update(padded[i:i + 3] for i in range(len(padded) - 2))
    return frozenset(result)


def trigram_similarity(a: str, b: str) -> float:
    """Same value as PostgreSQL's `similarity(a, b)`: shared trigrams / all distinct trigrams."""
    ta, tb = trigrams(a), trigrams(b)
    if not ta or not tb:
        return 0.0
    shared = len(ta & tb)
    return shared / (len(ta) + len(tb) - shared)


# --- Words and their weights ---------------------------------------------------------------------


def name_words(normalised: str) -> list[str]:
    """The words of a normalised name (the same split as the SQL function `deals_identity_keys`)."""
    return [w for w in normalised.split(" ") if w]


def fold(word: str) -> str:
    """One spelling for transliteration variants: 'jaeger'/'jager', 'mueller'/'muller', 'aalborg'/'alborg'."""
    for a, b in FOLDS:
        word = word.replace(a, b)
    return word


def _initials(words: list[str]) -> str:
    content = [w for w in words if w not in STOPWORDS]
    return "".join(w[0] for w in content) if 3 <= len(content) <= 5 else ""


@functools.lru_cache(maxsize=65536)
def word_prior(word: str) -> float:
    """What a word says about identity before looking at the tenant's names."""
    if word in LEGAL_SUFFIXES or word in STOPWORDS or _near(word, _FUZZY_LEGAL):
        return MINOR_WEIGHT
    if len(word) == 1 and not _DIGITS.intersection(word):
        return DESCRIPTIVE_WEIGHT
    if _near(word, DESCRIPTIVE_WORDS):
        return DESCRIPTIVE_WEIGHT
    if _near(word, SECTOR_WORDS):
        return SECTOR_WEIGHT
    return 1.0


@dataclass(frozen=True)
class NameStats:
    """How often words occur in a tenant's customer names (document frequency over a sample).

    `names` is how many names were counted; `counts` holds only the words occurring more than
    `cutoff` times (rarer words weigh fully). A word in `2 * cutoff` names weighs half, in
    `4 * cutoff` a third, and so on (1 / (1 + log2(count / cutoff))). Legal forms, little words,
    descriptive and sector words keep their fixed (lower) weight however common they are.
    """

    names: int = 0
    counts: dict[str, int] = field(default_factory=dict)
    _cache: dict[str, float] = field(default_factory=dict, compare=False, repr=False)

    @staticmethod
    def cutoff_for(names: int) -> int:
        return max(3, names // 2000)

    @property
    def cutoff(self) -> int:
        return self.cutoff_for(self.names)

    @classmethod
    def from_names(cls, names: list[str]) -> NameStats:
        """The statistics of these normalised names (the portable twin of the SQL aggregate)."""
        counts: dict[str, int] = {}
        for name in names:
            for word in name_words(name):
                counts[word] = counts.get(word, 0) + 1
        cutoff = cls.cutoff_for(len(names))
        return cls(len(names), {w: n for w, n in counts.items() if n > cutoff})

    def weight(self, word: str) -> float:
        found = self._cache.get(word)
        if found is None:
            prior = word_prior(word)
            count = self.counts.get(word, 0) if prior == 1.0 else 0  # listed words keep their weight
            found = 1.0 if count <= self.cutoff else 1.0 / (1.0 + math.log2(count / self.cutoff))
            found = self._cache[word] = prior * found
        return found

    def distinctive(self, word: str) -> bool:
        return self.weight(word) >= DISTINCTIVE_WEIGHT


NO_STATS = NameStats()


# --- Candidate keys -------------------------------------------------------------------------------
# Key kinds: "word" itself, "~" a word with one letter dropped (words that tolerate typos), "%" the
# folded spelling when it differs, "+" two neighbouring words run together, "^" the initials of a
# name of 3-5 words, "=" the whole name run together and folded. deals_identity_keys() in migration
# 0006 computes exactly this list in SQL for the expression index; a test compares the two.


@functools.lru_cache(maxsize=65536)
def identity_keys(normalised: str) -> frozenset[str]:
    """The keys under which a stored name is found (see `name_search` for the probe's side)."""
    words = name_words(normalised)
    if not words:
        return frozenset()
    keys: set[str] = set()
    for w in words:
        keys.add(w)
        if fold(w) != w:
            keys.add("%" + fold(w))
        if _typo_tolerant(w):
            keys.update("~" + d for d in _deletions(w))
    keys.update("+" + a + b for a, b in zip(words, words[1:], strict=False))
    if initials := _initials(words):
        keys.add("^" + initials)
    keys.add("=" + fold("".join(words)))
    return frozenset(keys)


def _word_keys(word: str) -> set[str]:
    """Probe keys that find any stored word `pair_relation` relates to `word`, or two stored words
    run together into it."""
    keys = {word, "~" + word, fold(word), "%" + fold(word), "+" + word}
    if _typo_tolerant(word):
        for d in _deletions(word):
            keys.update((d, "~" + d))
    return keys


@dataclass(frozen=True)
class NameSearch:
    """What to look up for one probe name: stored names sharing one of `keys` (the same name, the
    initials, words run together), or a key of both groups of one of `arms` (words the rule needs
    paired: a word heavy enough to reach MATCH_THRESHOLD alone repeats its group)."""

    keys: frozenset[str]
    arms: tuple[tuple[frozenset[str], frozenset[str]], ...] = ()

    def finds(self, stored: frozenset[str]) -> bool:
        """Does the filter let through a stored name with these `identity_keys`?"""
        return not self.keys.isdisjoint(stored) or any(
            not a.isdisjoint(stored) and not b.isdisjoint(stored) for a, b in self.arms)


def _order(words: list[str], stats: NameStats) -> list[int]:
    """Word positions, heaviest first (ties: first in the name)."""
    return sorted(range(len(words)), key=lambda i: (-stats.weight(words[i]), i))


def name_search(normalised: str, stats: NameStats = NO_STATS) -> NameSearch:
    """The candidate filter for a probe: a superset of every stored name `compare_names` accepts.

    Why it is one: "same_name", "initials" and any pairing with words run together share an exact
    key. Otherwise the paired words of the probe carry at least MATCH_THRESHOLD of its weight (the
    score is at most paired weight / probe weight), so the candidate pairs every word of some such
    set, in particular its two heaviest: one arm per heaviest word. "all_words" pairs the probe's
    two heaviest words, an arm too. Each group holds every key a pairing with that word produces.
    """
    words = name_words(normalised)
    if not words:
        return NameSearch(frozenset())
    keys = {"=" + fold("".join(words))}
    if len(words) == 1:
        keys.add("^" + words[0])
    elif initials := _initials(words):
        keys.add(initials)
    keys.update(a + b for a, b in zip(words, words[1:], strict=False))
    keys.update("+" + w for w in words)

    def covering(i: int) -> frozenset[str]:
        group = _word_keys(words[i])
        if i > 0:
            group.add(words[i - 1] + words[i])
        if i + 1 < len(words):
            group.add(words[i] + words[i + 1])
        return frozenset(group)

    weights = [stats.weight(w) for w in words]
    order = _order(words, stats)
    need = MATCH_THRESHOLD * sum(weights) - 1e-9
    alone: set[int] = set()  # words whose pairing can carry a match by itself
    partners: dict[int, set[int]] = {}  # heaviest word of a set that can -> the second heaviest ones
    for rank, i in enumerate(order):
        if weights[i] >= need:
            alone.add(i)
            continue
        for later, j in enumerate(order[rank + 1:], start=rank + 1):
            if weights[i] + weights[j] + sum(weights[k] for k in order[later + 1:]) >= need:
                partners.setdefault(i, set()).add(j)
    if len(words) >= 2 and order[0] not in alone:
        partners.setdefault(order[0], set()).add(order[1])
    arms = [(covering(i), covering(i)) for i in sorted(alone)]
    arms += [(covering(i), frozenset().union(*(covering(j) for j in partners[i]))) for i in sorted(partners)]
    return NameSearch(frozenset(keys), tuple(arms))


# --- The rule ---------------------------------------------------------------------------------------


def pair_relation(a: str, b: str) -> tuple[str, float] | None:
    """How two words relate: ("same" | "spelling" | "typo", similarity) or None."""
    if a == b:
        return "same", 1.0
    if fold(a) == fold(b):
        return "spelling", 1.0
    if one_edit_apart(a, b):
        return "typo", TYPO_SIMILARITY
    return None


@dataclass(frozen=True)
class NameMatch:
    """The verdict on two names and its evidence: `rule` is "same_name", "initials", "all_words" or
    "words"; `pairs` are (relation, word of a, word of b); `light` the unpaired low-weight words."""

    accepted: bool
    score: float
    rule: str = ""
    pairs: tuple[tuple[str, str, str], ...] = ()
    light: tuple[str, ...] = ()


NO_MATCH = NameMatch(False, 0.0)


def compare_names(a: str, b: str, stats: NameStats = NO_STATS) -> NameMatch:
    """Are normalised names `a` and `b` the same customer? Symmetric, and never accepts a pair that
    `name_search(a)` would not find (`identity_keys(b)` shares a key with it). In the evidence,
    each pair and initials entry names `a`'s side first."""
    if b < a:  # one order for both directions: ties between equal gains break the same way
        found = _compare(b, a, stats)
        return NameMatch(found.accepted, found.score, found.rule,
                         tuple((kind, y, x) for kind, x, y in found.pairs), found.light)
    return _compare(a, b, stats)


def _compare(a: str, b: str, stats: NameStats) -> NameMatch:
    wa, wb = name_words(a), name_words(b)
    if not wa or not wb:
        return NO_MATCH
    if fold("".join(wa)) == fold("".join(wb)):
        return NameMatch(True, 1.0, "same_name")
    for one, many in ((wa, wb), (wb, wa)):
        if len(one) == 1 and _initials(many) == one[0]:
            pair = ("initials", one[0], " ".join(many)) if one is wa else ("initials", " ".join(many), one[0])
            return NameMatch(True, 0.8, "initials", (pair,))
    # Units: single words, and neighbours run together (which pair only with an equal single word).
    units_a = [((i,), w) for i, w in enumerate(wa)] + [((i, i + 1), wa[i] + wa[i + 1]) for i in range(len(wa) - 1)]
    units_b = [((j,), w) for j, w in enumerate(wb)] + [((j, j + 1), wb[j] + wb[j + 1]) for j in range(len(wb) - 1)]
    options = []
    for pos_a, ua in units_a:
        for pos_b, ub in units_b:
            if len(pos_a) == 1 and len(pos_b) == 1:
                found = pair_relation(ua, ub)
            else:
                found = ("joined", 1.0) if len(pos_a) != len(pos_b) and ua == ub else None
            if found:
                kind, sim = found
                gain = sim * min(stats.weight(ua), stats.weight(ub))
                options.append((-gain, pos_a, pos_b, kind, ua, ub, sim))
    options.sort()
    used_a: set[int] = set()
    used_b: set[int] = set()
    chosen = []
    for _gain, pos_a, pos_b, kind, ua, ub, sim in options:
        if used_a.isdisjoint(pos_a) and used_b.isdisjoint(pos_b):
            used_a.update(pos_a)
            used_b.update(pos_b)
            chosen.append((pos_a, pos_b, kind, ua, ub, sim))
    if not chosen:
        return NO_MATCH
    shared = sum(sim * min(stats.weight(ua), stats.weight(ub)) for _pa, _pb, _k, ua, ub, sim in chosen)
    total_a = sum(stats.weight(ua) for _pa, _pb, _k, ua, _ub, _s in chosen)
    total_a += sum(stats.weight(w) for i, w in enumerate(wa) if i not in used_a)
    total_b = sum(stats.weight(ub) for _pa, _pb, _k, _ua, ub, _s in chosen)
    total_b += sum(stats.weight(w) for j, w in enumerate(wb) if j not in used_b)
    score = shared / (total_a + total_b - shared)
    pairs = tuple((kind, ua, ub) for _pa, _pb, kind, ua, ub, _s in chosen)
    left_a = [w for i, w in enumerate(wa) if i not in used_a]
    left_b = [w for j, w in enumerate(wb) if j not in used_b]
    light = tuple(sorted({w for w in left_a + left_b if stats.weight(w) < DISTINCTIVE_WEIGHT}))
    if score < MATCH_THRESHOLD:
        return NameMatch(False, score, "", pairs, light)
    # Both names adding words of weight ("Tata Motors"/"Tata Steel", "Summit Health"/"Summit
    # Partners") are two businesses that share a word; only descriptive words may differ on both sides
    # ("Wayne Industries"/"Wayne Enterprises").
    both_add = bool(left_a and left_b) and any(stats.weight(w) > DESCRIPTIVE_WEIGHT for w in left_a + left_b)
    if not both_add and any(stats.distinctive(ua) and stats.distinctive(ub) for _pa, _pb, _k, ua, ub, _s in chosen):
        return NameMatch(True, score, "words", pairs, light)
    # Names of generic words only: every word of the shorter name pairs up, the longer one adds only
    # descriptive or sector words, and each name's two heaviest words are paired (name_search looks those up).
    covered_a, covered_b = len(used_a) == len(wa), len(used_b) == len(wb)
    if (min(len(wa), len(wb)) >= 2 and (covered_a or covered_b)
            and all(word_prior(w) <= SECTOR_WEIGHT for w in left_a + left_b)
            and all(i in used_a for i in _order(wa, stats)[:2]) and all(j in used_b for j in _order(wb, stats)[:2])):
        return NameMatch(True, score, "all_words", pairs, light)
    return NameMatch(False, score, "", pairs, light)


# --- In memory: the same filter and rule over a list of names ------------------------------------


@dataclass(frozen=True)
class IndexHit:
    key: object
    domain_match: bool
    name: NameMatch

    @property
    def accepted(self) -> bool:
        return self.domain_match or self.name.accepted


class NameIndex:
    """Names held in memory and asked for many probes: the portable twin of the indexed query
    (SQLite's conflict check; lead dedupe against open leads). Same candidate keys, same rule.

        index = NameIndex(stats)                      # stats: deals.conflicts.name_statistics(tenant)
        index.add(lead.pk, lead.company_name_normalised, lead.domain)
        for hit in index.matches(normalise_company_name(name), domain): ...   # hit.name.pairs says why
    """

    def __init__(self, stats: NameStats = NO_STATS):
        self.stats = stats
        self._by_key: dict[str, list[int]] = {}
        self._by_domain: dict[str, list[int]] = {}
        self._items: list[tuple[object, str, str]] = []
        self._verdicts: dict[tuple[str, str], NameMatch] = {}

    def add(self, key, normalised: str, domain: str = "") -> None:
        i = len(self._items)
        self._items.append((key, normalised, domain))
        if domain:
            self._by_domain.setdefault(domain, []).append(i)
        for k in identity_keys(normalised):
            self._by_key.setdefault(k, []).append(i)

    def candidates(self, normalised: str, domain: str = "") -> list[int]:
        """Positions of the stored names the filter lets through, in insertion order."""
        found = set(self._by_domain.get(domain, ())) if domain else set()
        search = name_search(normalised, self.stats)
        for k in search.keys:
            found.update(self._by_key.get(k, ()))
        for first, second in search.arms:
            having = {i for k in first for i in self._by_key.get(k, ())}
            found.update(i for k in second for i in self._by_key.get(k, ()) if i in having)
        return sorted(found)

    def compare(self, a: str, b: str) -> NameMatch:
        verdict = self._verdicts.get((a, b))
        if verdict is None:
            verdict = self._verdicts[(a, b)] = compare_names(a, b, self.stats)
        return verdict

    def matches(self, normalised: str, domain: str = "") -> list[IndexHit]:
        """The stored names that are the same customer (by domain or by name), in insertion order."""
        hits = []
        for i in self.candidates(normalised, domain):
            key, name, stored_domain = self._items[i]
            hit = IndexHit(key, bool(domain) and domain == stored_domain,
                           self.compare(normalised, name) if normalised and name else NO_MATCH)
            if hit.accepted:
                hits.append(hit)
        return hits
