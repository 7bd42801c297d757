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


def test_summary_names_counts_rate_failures_and_notices():
    r = IngestReport(added=3, replaced=1, seconds=2.0)
    assert r.summary() == "ingest: 3 added, 1 replaced, 0 unchanged, 0 failed in 2.0 s (2.0 articles/s)"
    for i in range(7):
        r.fail("bad-json" if i % 2 else "not-article:listing", f"tin.jsonl:{i}: lỗi")
    r.notice("canonical-refused")
    lines = r.summary("reclean").splitlines()
    assert lines[0].startswith("reclean: 3 added, 1 replaced, 0 unchanged, 7 failed")
    assert lines[1] == "failures by reason: bad-json: 3, not-article:listing: 4"
    assert lines[2:7] == [f"  - tin.jsonl:{i}: lỗi" for i in range(5)]  # the first five only
    assert lines[7] == "stored under their own url (see the failures table): canonical-refused: 1"


def test_summary_of_an_instant_run_has_no_rate():
    assert "articles/s" not in IngestReport(added=1).summary()
