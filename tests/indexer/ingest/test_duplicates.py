"""Syndicated copies: detected at ingest, shown once in results, listed on the article."""
import json

import pytest

from archive.store import Store
from indexer import ArchiveSearcher, SearchRequest, ingest_paths
from archive.datadir import DataDir

STORY = ("Sáng nay, Ủy ban nhân dân tỉnh Long An tổ chức hội nghị tổng kết Chương trình mục "
         "tiêu quốc gia giảm nghèo bền vững giai đoạn 2021 – 2025 với sự tham dự của đại diện "
         "các sở, ngành và 15 huyện, thị xã, thành phố trong tỉnh.\n"
         "Theo báo cáo, tỷ lệ hộ nghèo toàn tỉnh giảm từ 1,2% xuống còn 0,5%; hơn 3.000 lao động "
         "được hỗ trợ học nghề và tìm việc làm; nhiều mô hình sinh kế cho hộ cận nghèo được nhân "
         "rộng ở các xã vùng sâu.\n"
         "Hội nghị cũng đề ra nhiệm vụ năm tới: tiếp tục hỗ trợ nhà ở cho hộ nghèo, tăng cường "
         "truyền thông về giảm nghèo và nâng cao năng lực cán bộ làm công tác giảm nghèo ở cơ sở.")


@pytest.fixture(scope="module")
def dup_dir(tmp_path_factory):
    root = tmp_path_factory.mktemp("dups")
    records = [
        {"url": "https://bao-a.example/tong-ket", "title": "Long An tổng kết giảm nghèo",
         "body": STORY, "published": "2025-01-10T08:00:00+07:00"},
        # the same story reprinted elsewhere with a source line and the other tone placement
        {"url": "https://bao-b.example/long-an-giam-ngheo", "title": "Tổng kết giảm nghèo ở Long An",
         "body": STORY.replace("Ủy ban", "Uỷ ban") + "\nTheo TTXVN",
         "published": "2025-01-10T10:00:00+07:00"},
        {"url": "https://bao-c.example/khac", "title": "Long An hỗ trợ nhà ở cho hộ nghèo",
         "body": "Tỉnh Long An hỗ trợ xây mới 500 căn nhà cho hộ nghèo trong năm nay, mỗi căn "
                 "được hỗ trợ 60 triệu đồng từ ngân sách và nguồn xã hội hóa. Công tác giảm "
                 "nghèo được các địa phương triển khai đồng bộ.",
         "published": "2025-02-01T08:00:00+07:00"},
    ]
    path = root / "in.jsonl"
    path.write_text("\n".join(json.dumps(r, ensure_ascii=False) for r in records), "utf-8")
    ingest_paths([path], root / "data", workers=1)
    return root / "data"


def test_copies_are_linked_in_the_store(dup_dir):
    with Store(DataDir(dup_dir).store) as store:
        a = store.id_for_url("https://bao-a.example/tong-ket")
        b = store.id_for_url("https://bao-b.example/long-an-giam-ngheo")
        c = store.id_for_url("https://bao-c.example/khac")
        assert [i for i, _ in store.near_duplicates(a)] == [b]
        assert [i for i, _ in store.near_duplicates(b)] == [a]
        assert store.near_duplicates(c) == []


def test_results_show_a_story_once_with_also_published_by(dup_dir):
    s = ArchiveSearcher(dup_dir)
    res = s.search(SearchRequest(q="giảm nghèo Long An"))
    urls = [h["url"] for h in res["results"]]
    assert len(urls) == 2 and "https://bao-c.example/khac" in urls
    first = next(h for h in res["results"] if h["also_published_by"])
    other = {"https://bao-a.example/tong-ket", "https://bao-b.example/long-an-giam-ngheo"}
    assert {first["url"], first["also_published_by"][0]["url"]} == other
    article = s.article(first["id"])
    assert [d["url"] for d in article["duplicates"]] == [first["also_published_by"][0]["url"]]
    s.close()


def test_pages_credit_the_other_publisher(dup_dir):
    from web import create_app
    client = create_app({"DATA_DIR": str(dup_dir), "TESTING": True}).test_client()
    html = client.get("/", query_string={"q": "giảm nghèo Long An"}).get_data(as_text=True)
    assert "Cũng đăng trên" in html
    with Store(DataDir(dup_dir).store) as store:
        a = store.id_for_url("https://bao-a.example/tong-ket")
    page = client.get(f"/articles/{a}").get_data(as_text=True)
    assert "Cũng được đăng trên" in page and "bao-b.example" in page
