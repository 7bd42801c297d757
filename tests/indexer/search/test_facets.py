"""Columns are read segment by segment: they must equal what the whole-index reader says."""
from __future__ import annotations

from collections import Counter
from datetime import datetime, timezone

import numpy as np
from whoosh import index as whoosh_index

from indexer.search.facets import Columns
from indexer.schema import FACET_FIELDS, document_fields, schema


def _analysis(i: int) -> dict:
    provinces = [["Long An"], ["Tiền Giang", "Long An"], []][i % 3]
    return {"seg": {"title": f"Tin số {i}", "sapo": "", "paragraphs": ["giảm nghèo bền vững"],
                    "captions": []},
            "entities": {"provinces": provinces, "provinces_2025": ["Tây Ninh"] if provinces else [],
                         "programs": ["giảm nghèo bền vững"] if i % 2 else [],
                         # two spellings that fold alike: the later one in term order wins
                         "officials": [{"name": ["Trần Văn Toản", "Trần Văn Toán"][i % 2]}]}}


def test_columns_equal_the_whole_index_reader(tmp_path):
    ix = whoosh_index.create_in(str(tmp_path), schema())
    for part in range(3):  # three segments
        writer = ix.writer()
        for i in range(part * 20, part * 20 + 20):
            published = datetime(2020 + i % 4, 1 + i % 12, 1, tzinfo=timezone.utc) \
                if i % 5 else None
            writer.add_document(**document_fields(i + 1, published, "thtg.vn", _analysis(i)))
        writer.commit(merge=False)
    writer = ix.writer()
    for aid in (3, 25, 26, 59):
        writer.delete_by_term("aid", str(aid))
    writer.commit(merge=False)
    reader = ix.reader()
    assert len(reader.leaf_readers()) == 3 and reader.has_deletions()
    cols = Columns(reader)

    n = reader.doc_count_all()
    live = np.array([not reader.is_deleted(d) for d in range(n)])
    assert np.array_equal(cols.live, live)
    aid_col, pub_col = reader.column_reader("aid"), reader.column_reader("published")
    assert cols.aid.tolist() == [int(aid_col[d]) for d in range(n)]
    assert cols.published.tolist() == [int(pub_col[d]) for d in range(n)]
    month_col = reader.column_reader("month")
    every = np.arange(n)
    expected_months = Counter(month_col[d] for d in range(n) if month_col[d])
    assert dict(cols.month_counts(every)) == dict(expected_months) and expected_months
    checked = 0
    for name in FACET_FIELDS:
        expected = {}
        for term in reader.lexicon(name):
            ids = np.array(list(reader.postings(name, term).all_ids()), dtype=np.int64)
            ids = ids[live[ids]]
            if len(ids):
                expected[term.decode()] = ids
        assert list(cols.values[name]) == list(expected), name
        for value, ids in expected.items():
            assert np.array_equal(cols.values[name][value], ids)
            checked += 1
    assert checked >= 8
    assert cols.resolve("official", "tran van toan") == "Trần Văn Toản"

