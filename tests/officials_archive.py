"""A small archive of made-up articles about officials, shared by the officials tests."""
from __future__ import annotations

import json
from pathlib import Path

ARTICLES = [
    {"url": "https://quan-chuc.example/1", "published": "2024-01-10T08:00:00+07:00",
     "title": "Cần Giuộc làm đường giao thông nông thôn",
     "body": "Bà Võ Thị Bích, Phó chủ tịch UBND huyện Cần Giuộc, cho biết huyện sẽ làm "
             "thêm 20 km đường.\nTheo bà Bích, người dân đã hiến đất."},
    {"url": "https://quan-chuc.example/2", "published": "2024-06-02T08:00:00+07:00",
     "title": "Cần Giuộc giảm nghèo bền vững",
     "body": "Chủ tịch UBND huyện Cần Giuộc Võ Thị Bích kiểm tra mô hình giảm nghèo bền vững."
             "\nÔng Trần Văn Hạc, Bí thư Huyện ủy Cần Giuộc, đề nghị làm nhanh hơn."},
    {"url": "https://quan-chuc.example/3", "published": "2024-03-05T08:00:00+07:00",
     "title": "Hà Tĩnh tiêm chủng cho trẻ",
     "body": "Bà Võ Thị Bích, Phó giám đốc Sở Y tế tỉnh Hà Tĩnh, cho biết đã tiêm cho "
             "5.000 trẻ em."},
    {"url": "https://quan-chuc.example/4", "published": "2024-04-01T08:00:00+07:00",
     "title": "Mưa lớn ở miền Tây", "body": "Mưa lớn kéo dài nhiều ngày ở miền Tây."},
]
LONG_AN = "Võ Thị Bích (Long An)"
HA_TINH = "Võ Thị Bích (Hà Tĩnh)"


def build(data: Path) -> Path:
    from indexer import ingest_paths
    src = data.parent / "officials.jsonl"
    src.write_text("\n".join(json.dumps(a, ensure_ascii=False) for a in ARTICLES), "utf-8")
    report = ingest_paths([src], data, workers=1)
    assert report.stored == len(ARTICLES), report.to_dict()
    return data
