"""What an ingest did: counts, failures by reason, notices, CPU time per stage."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["IngestReport", "by_reason"]


@dataclass
class IngestReport:
    added: int = 0
    replaced: int = 0
    unchanged: int = 0
    failed: int = 0
    reasons: dict[str, int] = field(default_factory=dict)
    first_failures: list[str] = field(default_factory=list)
    seconds: float = 0.0
    # CPU seconds (process time) per stage, summed over processes
    stages: dict[str, float] = field(default_factory=dict)

    # Items stored, but not as they asked (a refused canonical url), by reason.
    notices: dict[str, int] = field(default_factory=dict)

    @property
    def stored(self) -> int:
        return self.added + self.replaced + self.unchanged

    def fail(self, reason: str, message: str) -> None:
        self.failed += 1
        self.reasons[reason] = self.reasons.get(reason, 0) + 1
        if len(self.first_failures) < 10:
            self.first_failures.append(message)

    def notice(self, reason: str) -> None:
        self.notices[reason] = self.notices.get(reason, 0) + 1

    def to_dict(self) -> dict[str, Any]:
        return {"added": self.added, "replaced": self.replaced, "unchanged": self.unchanged,
                "failed": self.failed, "reasons": self.reasons, "notices": self.notices,
                "first_failures": self.first_failures, "seconds": round(self.seconds, 2),
                "stages": {k: round(v, 2) for k, v in self.stages.items()}}

    def add_time(self, stage: str, seconds: float) -> None:
        self.stages[stage] = self.stages.get(stage, 0.0) + seconds

    def summary(self, what: str = "ingest") -> str:
        """The report as the CLI prints it (English): counts, rate, failures by reason."""
        rate = f" ({self.stored / self.seconds:.1f} articles/s)" if self.seconds else ""
        lines = [f"{what}: {self.added} added, {self.replaced} replaced, {self.unchanged} "
                 f"unchanged, {self.failed} failed in {self.seconds:.1f} s{rate}"]
        if self.failed:
            lines.append("failures by reason: " + by_reason(self.reasons))
            lines += [f"  - {line}" for line in self.first_failures[:5]]
        if self.notices:  # stored, but not as asked
            lines.append("stored under their own url (see the failures table): "
                         + by_reason(self.notices))
        return "\n".join(lines)


def by_reason(counts: dict[str, int]) -> str:
    """``"a: 2, b: 1"``, sorted by reason."""
    return ", ".join(f"{k}: {v}" for k, v in sorted(counts.items())) or "none"
