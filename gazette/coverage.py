"""Coverage of the archive: which gazette issues are present, year by year, and the gaps in the
期号 (number within a year) and 总号 (serial across years) sequences (缺期), so archivists know
what to digitise next.

Only issue files count: an issue is a public publication, and documents (withheld or not) play
no part. A gap is inferred from the numbers alone: numbers 1..highest present in each year, and
serials from the lowest to the highest present; an issue after the last one present cannot be
known to be missing and is not reported.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from .model import Issue


@dataclass(frozen=True)
class Gap:
    """One missing issue: its year and number when known, its serial (总号) when known."""

    year: int | None
    number: int | None
    serial: int | None

    def describe(self) -> str:
        """In plain words, e.g. 2026年第2期（总号第12期）."""
        if self.year is not None and self.number is not None:
            text = f"{self.year}年第{self.number}期"
            return text + (f"（总号第{self.serial}期）" if self.serial is not None else "")
        return f"总号第{self.serial}期"


@dataclass
class YearCoverage:
    year: int
    present: list[int] = field(default_factory=list)  # issue numbers present, ascending
    gaps: list[Gap] = field(default_factory=list)


def coverage(issues: list[Issue]) -> list[YearCoverage]:
    """Per year (oldest first): the issue numbers present and the missing issues.

    A missing number in a year is matched to its serial when the serials of its neighbours in
    that year pin it down; a missing serial that no missing number accounts for is reported on
    its own, in the year of the issue before it."""
    by_year: dict[int, list[Issue]] = defaultdict(list)
    for i in issues:
        by_year[i.year].append(i)
    years = {y: YearCoverage(y, sorted({i.number for i in by_year[y]})) for y in by_year}
    serial_of = {(i.year, i.number): i.serial for i in issues if i.serial is not None}
    explained: set[int] = set()
    for y, cov in years.items():
        for n in range(1, max(cov.present) + 1):
            if n in cov.present:
                continue
            serial = _serial_between(serial_of, y, n, cov.present)
            if serial is not None:
                explained.add(serial)
            cov.gaps.append(Gap(y, n, serial))
    ordered = sorted((i for i in issues if i.serial is not None), key=lambda i: (i.serial, i.year, i.number))
    for before, after in zip(ordered, ordered[1:]):
        for s in range(before.serial + 1, after.serial):
            if s not in explained:
                years[before.year].gaps.append(Gap(None, None, s))
    for cov in years.values():
        cov.gaps.sort(key=lambda g: (g.number is None, g.number or 0, g.serial or 0))
    return [years[y] for y in sorted(years)]


def _serial_between(serial_of: dict, year: int, number: int, present: list[int]) -> int | None:
    """The serial a missing issue must have had, from the nearest issue of its year with one."""
    for other in present:
        s = serial_of.get((year, other))
        if s is not None:
            return s + (number - other)
    return None


def gaps(issues: list[Issue]) -> list[Gap]:
    """Every missing issue, oldest first."""
    return [g for cov in coverage(issues) for g in cov.gaps]
