"""The header words of a register kind: which header text means which column, and which words
name an assessment (inherent, residual, target) — worked out once per kind for the whole run."""

from __future__ import annotations

import re

from sheetsync.settings.schemas import RegisterSpec, normalise

_FILLER = ("risk ",)
#: Periods in a header ("2019/20 Target", "Q1 Actual", "Quarter 2 outturn") that do not change
#: what the column means.
_PERIOD = re.compile(r"\b(q[1-4]|quarter( [1-4])?|\d{4}( \d{2,4})?|\d{2} \d{2}|fy|ytd|year to date)\b")


class Vocabulary:
    """A spec's header words, normalised once."""

    def __init__(self, spec: RegisterSpec) -> None:
        self.columns: dict[str, str] = {}
        for column in spec.columns.values():
            if column.assessment is None:
                for synonym in (column.name.replace("_", " "), column.label, *column.synonyms):
                    self.columns.setdefault(normalise(synonym), column.name)
        # NOTE: the first measure to claim a word keeps it ("probability" is a likelihood; the
        # probability measure is only a "Prob" column beside one)
        self.measures: dict[str, str] = {}
        for name, m in spec.measures.items():
            for s in (name, m.label, *m.synonyms):
                self.measures.setdefault(normalise(s), name)
        words = {normalise(s): name for name, (label, synonyms) in spec.assessments.items()
                 for s in (name, label, *synonyms)}
        self.assessments = words
        # NOTE: longest words first, so "post mitigation" wins over "mitigation".
        alternatives = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True) if w)
        self._assessment_word = re.compile(rf"\b({alternatives})\b") if alternatives else None
        self._meanings: dict[tuple[str, str], tuple[str | None, str] | None] = {}
        self._can_mean: dict[str, bool] = {}

    def can_mean(self, label: str) -> bool:
        """False when ``meaning(label, group)`` is None under every group: whatever a group
        lends a label, it is one of the label's own measures (with or without a filler word)."""
        found = self._can_mean.get(label)
        if found is None:
            found = self._can_mean[label] = self.meaning(label, "") is not None or any(
                candidate in self.measures
                for candidate in (label, *(label[len(f):] for f in _FILLER if label.startswith(f))))
        return found

    def count_known(self, words: list[str]) -> int:
        """How many of ``words`` ``can_mean`` a column.

        NOTE: counted from ``can_mean``'s answers, each word asked once: a call per word of
        every row scanned for a header, for every kind, was a third of locating a register.
        """
        answers = self._can_mean
        for word in words:
            if word not in answers:
                self.can_mean(word)
        return sum(map(answers.__getitem__, words))

    def assessment_in(self, text: str) -> tuple[str, str] | None:
        """(assessment, text without its word) when ``text`` names an assessment."""
        match = self._assessment_word.search(text) if self._assessment_word else None
        if match is None:
            return None
        rest = " ".join((text[:match.start()] + " " + text[match.end():]).split())
        return self.assessments[match.group(1)], rest

    def meaning(self, label: str, group: str) -> tuple[str | None, str] | None:
        """(assessment or None, measure) for a measure, (None, column) for a column, or None."""
        key = (label, group)
        if key not in self._meanings:
            self._meanings[key] = self._meaning(label, group)
        return self._meanings[key]

    def _meaning(self, label: str, group: str) -> tuple[str | None, str] | None:
        if not label:
            return None
        if group and label in self.measures and self.assessment_in(label) is None:
            grouped = self.assessment_in(group)
            if grouped is not None:  # "RISK" under "INHERENT RISK" is its score, not a risk
                return grouped[0], self.measures[label]
        if label in self.columns:
            return None, self.columns[label]
        undated = _PERIOD.sub(" ", label).split()
        if undated and " ".join(undated) in self.columns:
            return None, self.columns[" ".join(undated)]  # "2019/20 Target", "Q1 Actual"
        if not self.measures:
            return None
        found = self.assessment_in(label)
        if found is None and group:
            group_found = self.assessment_in(group)
            if group_found is not None:
                found = (group_found[0], label)
        if found is None:
            return (None, self.measures[label]) if label in self.measures else None
        assessment, rest = found
        for candidate in (rest, *(rest[len(f):] for f in _FILLER if rest.startswith(f))):
            if candidate in self.measures:
                return assessment, self.measures[candidate]
        return None


_VOCABULARIES: dict[int, tuple[RegisterSpec, Vocabulary]] = {}


def vocabulary_of(spec: RegisterSpec) -> Vocabulary:
    """One vocabulary per spec for the whole run: headers repeat across sheets and workbooks."""
    cached = _VOCABULARIES.get(id(spec))
    if cached is None or cached[0] is not spec:
        cached = (spec, Vocabulary(spec))
        _VOCABULARIES[id(spec)] = cached
    return cached[1]
