"""The labelled customer-name pairs (data/customer_name_pairs.csv) and the matcher's score on them.

    .venv/bin/python -m deals.tests.name_pairs      # recall, precision and every miss, no database

A pair is labelled same (1) when a channel manager should see the two as one customer: the same
company under legal-form, accent, transliteration, spelling or typing variants, initials, or its
distinctive name with descriptive words added (a division). Different (0): companies that only share
generic words, group siblings in different lines of business, and look-alike spellings of other
companies. `test_identity.py` registers every name_b in a tenant and asks the real conflict check
(both database backends) about every name_a; this script scores the same rule in memory, with the
same word statistics (one registration per distinct name_b).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from pathlib import Path

PAIRS_FILE = Path(__file__).parent / "data" / "customer_name_pairs.csv"
RECALL_FLOOR = 0.90
PRECISION_FLOOR = 0.95


@dataclass(frozen=True)
class Pair:
    name_a: str
    name_b: str
    same: bool
    note: str


def load_pairs() -> list[Pair]:
    with PAIRS_FILE.open(encoding="utf-8", newline="") as f:
        return [Pair(r["name_a"], r["name_b"], r["same"] == "1", r["note"]) for r in csv.DictReader(f)]


def registered_names(pairs: list[Pair]) -> list[str]:
    """The names stored in the evaluation tenant: each distinct name_b once, in file order."""
    return list(dict.fromkeys(p.name_b for p in pairs))


@dataclass(frozen=True)
class Score:
    tp: int
    fp: int
    fn: int
    tn: int

    @classmethod
    def of(cls, pairs: list[Pair], predicted: list[bool]) -> Score:
        cells = [(p.same, hit) for p, hit in zip(pairs, predicted, strict=True)]
        return cls(cells.count((True, True)), cells.count((False, True)), cells.count((True, False)),
                   cells.count((False, False)))

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    def __str__(self) -> str:
        return (f"{self.tp + self.fp + self.fn + self.tn} pairs ({self.tp + self.fn} same, {self.fp + self.tn} "
                f"different): recall {self.recall:.3f} ({self.tp}/{self.tp + self.fn}), precision "
                f"{self.precision:.3f} ({self.tp}/{self.tp + self.fp}); {self.fp} false alarms, {self.fn} misses")


def rule_predictions(pairs: list[Pair]) -> list[bool]:
    """What the rule says about each pair, with the statistics of the evaluation tenant's names."""
    from deals.normalise import NameStats, compare_names, normalise_company_name

    stats = NameStats.from_names([normalise_company_name(n) for n in registered_names(pairs)])
    return [compare_names(normalise_company_name(p.name_a), normalise_company_name(p.name_b), stats).accepted
            for p in pairs]


def main() -> None:
    pairs = load_pairs()
    predicted = rule_predictions(pairs)
    for p, hit in zip(pairs, predicted, strict=True):
        if hit != p.same:
            print(f"{'false alarm' if hit else 'miss':<12} {p.name_a!r} / {p.name_b!r}  ({p.note})")
    print(Score.of(pairs, predicted))


if __name__ == "__main__":
    main()
