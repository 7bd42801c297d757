"""The ingest report: counts, failures by reason, notices, stage times."""
from __future__ import annotations

from indexer.ingest.report import IngestReport


def test_counts_reasons_and_first_failures():
    r = IngestReport(added=2, replaced=1, unchanged=3)
    for i in range(12):
        r.fail("not-article:listing", f"trang-{i}.html: not an article")
    r.notice("canonical-refused")
    r.add_time("segment", 1.5)
    r.add_time("segment", 0.5)
    assert r.stored == 6 and r.failed == 12 and r.reasons == {"not-article:listing": 12}
    assert len(r.first_failures) == 10 and r.notices == {"canonical-refused": 1}
    d = r.to_dict()
    assert d["stages"] == {"segment": 2.0} and d["failed"] == 12
