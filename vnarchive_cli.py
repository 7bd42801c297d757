"""The ``vnarchive`` command: a thin Click layer over archive/, indexer/ and web/.

Library errors become one-line ``click.ClickException`` messages at this edge.
"""
from __future__ import annotations

import json
import os
import sys
from datetime import date
from pathlib import Path

import click

__all__ = ["main", "cli"]

DATA_DIR_HELP = "Archive directory [env VNARCHIVE_DATA_DIR, default ./data]."


def _data_dir_option(f):
    return click.option(
        "--data-dir", type=click.Path(file_okay=False, path_type=Path),
        default=lambda: os.environ.get("VNARCHIVE_DATA_DIR") or "data",
        show_default="./data", help=DATA_DIR_HELP)(f)


def _fail(exc: BaseException) -> click.ClickException:
    return click.ClickException(str(exc) or type(exc).__name__)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="vnarchive")
def cli() -> None:
    """vnarchive — a searchable archive of Vietnamese news.

    \b
    Example:
      vnarchive ingest corpus/sample
      vnarchive search "giảm nghèo" --province "Long An"
      vnarchive serve
    """


def _bar(total: int | None, label: str):
    from tqdm import tqdm
    return tqdm(total=total, desc=label, unit=" items", disable=None, file=sys.stderr,
                mininterval=0.5, smoothing=0.1)


def _print_report(report, what: str = "ingest") -> None:
    click.echo(f"{what}: {report.added} added, {report.replaced} replaced, "
               f"{report.unchanged} unchanged, {report.failed} failed "
               f"in {report.seconds:.1f} s"
               + (f" ({report.stored / report.seconds:.1f} articles/s)" if report.seconds else ""))
    if report.failed:
        reasons = ", ".join(f"{k}: {v}" for k, v in sorted(report.reasons.items()))
        click.echo(f"failures by reason: {reasons}")
        for line in report.first_failures[:5]:
            click.echo(f"  - {line}")


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_data_dir_option
@click.option("--workers", type=click.IntRange(1, 16), default=None,
              help="Worker processes for cleaning and segmentation [default: all cores].")
@click.option("--batch", type=click.IntRange(1, 100000), default=1000, show_default=True,
              help="Articles per commit (a crash loses at most one batch).")
def ingest(paths: tuple[Path, ...], data_dir: Path, workers: int | None, batch: int) -> None:
    """Clean, store and index HTML pages, directories, JSON Lines or WARC files.

    \b
    Example:
      vnarchive ingest ../shared/corpus/html/thtg.vn
      vnarchive ingest news.jsonl.gz --data-dir /srv/vnarchive
    """
    from archive.store import StoreError
    from indexer import IndexBusy, ingest_paths

    for p in paths:
        if not p.exists():
            raise click.ClickException(f"{p}: no such file or directory")
    bar = _bar(None, "ingest")
    try:
        report = ingest_paths(paths, data_dir, workers=workers, batch=batch,
                              progress=bar.update)
    except (IndexBusy, StoreError, OSError) as exc:
        raise _fail(exc) from None
    finally:
        bar.close()
    _print_report(report)
    if report.stored == 0 and report.failed:
        raise click.ClickException("nothing was ingested")


@cli.command()
@_data_dir_option
def reindex(data_dir: Path) -> None:
    """Rebuild the search index from the stored articles, then switch to it atomically.

    The old index keeps serving until the switch.  Cached segmentation is reused.

    \b
    Example:
      vnarchive reindex --data-dir data
    """
    from archive.store import Store, StoreError
    from indexer import IndexBusy, reindex as do_reindex
    from indexer.pipeline import store_path

    if not store_path(data_dir).exists():
        raise click.ClickException(f"no archive in {data_dir}: run `vnarchive ingest` first")
    with Store(store_path(data_dir), readonly=True) as store:
        total = store.count()
    bar = _bar(total, "reindex")
    try:
        count = do_reindex(data_dir, progress=bar.update)
    except (IndexBusy, StoreError, OSError) as exc:
        raise _fail(exc) from None
    finally:
        bar.close()
    click.echo(f"reindexed {count} articles")


def _date(value: str | None, name: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not a date YYYY-MM-DD", param_hint=name) from None


@cli.command()
@click.argument("query", required=False, default="")
@_data_dir_option
@click.option("--province", multiple=True, help="Province as named in the article (repeatable).")
@click.option("--province-2025", "province_2025", multiple=True,
              help="Province within the borders from 1 July 2025 (repeatable).")
@click.option("--official", multiple=True, help="Official's full name (repeatable).")
@click.option("--program", multiple=True, help="Programme label (repeatable).")
@click.option("--site", multiple=True, help="Site host, e.g. thtg.vn (repeatable).")
@click.option("--year", multiple=True, help="Publication year (repeatable).")
@click.option("--from", "date_from", help="Published on or after YYYY-MM-DD.")
@click.option("--to", "date_to", help="Published on or before YYYY-MM-DD.")
@click.option("--sort", type=click.Choice(["relevance", "newest", "oldest"]),
              default="relevance", show_default=True)
@click.option("--page", type=click.IntRange(1, 1000), default=1, show_default=True)
@click.option("--limit", "per_page", type=click.IntRange(1, 100), default=10,
              show_default=True, help="Results per page.")
@click.option("--json", "as_json", is_flag=True, help="Print the same JSON as /api/search.")
def search(query: str, data_dir: Path, province, province_2025, official, program, site, year,
           date_from, date_to, sort, page, per_page, as_json) -> None:
    """Search the archive; prints the top results and facet counts.

    \b
    Example:
      vnarchive search "giam ngheo" --province "Long An"
      vnarchive search "nông thôn mới" --json --limit 5
    """
    from indexer import ArchiveSearcher, IndexMissing, SearchError, SearchRequest

    filters = {k: tuple(v) for k, v in (("province", province), ("province_2025", province_2025),
                                         ("official", official), ("program", program),
                                         ("site", site), ("year", year)) if v}
    req = SearchRequest(q=query, filters=filters, date_from=_date(date_from, "--from"),
                        date_to=_date(date_to, "--to"), sort=sort, page=page, per_page=per_page)
    searcher = ArchiveSearcher(data_dir)
    try:
        res = searcher.search(req)
    except (SearchError, IndexMissing) as exc:
        raise _fail(exc) from None
    finally:
        searcher.close()
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False, indent=2))
        return
    _print_results(res)


def _strip_marks(html: str) -> str:
    import html as html_mod
    return html_mod.unescape(html.replace("<mark>", "[").replace("</mark>", "]"))


def _print_results(res: dict) -> None:
    click.echo(f"{res['total']} kết quả ({res['took_ms']:.0f} ms)"
               + (" — không có bài chứa mọi từ, hiển thị bài chứa một số từ" if res["fallback"]
                  else ""))
    if res.get("suggestion"):
        click.echo(f"Có phải bạn muốn tìm: {res['suggestion']}")
    start = (res["page"] - 1) * res["per_page"]
    for i, hit in enumerate(res["results"], start + 1):
        day = (hit["published"] or "")[:10] or "không rõ ngày"
        click.secho(f"{i:>3}. {hit['title']}", bold=True)
        click.echo(f"     {hit['site']} · {day} · id {hit['id']} · {hit['url']}")
        if hit["snippet"]:
            click.echo(f"     {_strip_marks(hit['snippet'])}")
    for name, label in (("province", "Tỉnh/thành"), ("province_2025", "Tỉnh (từ 1/7/2025)"),
                        ("official", "Quan chức"), ("program", "Chương trình"),
                        ("site", "Trang"), ("year", "Năm")):
        values = res["facets"].get(name) or []
        if values:
            shown = ", ".join(f"{v['value']} ({v['count']})" + ("*" if v["selected"] else "")
                              for v in values)
            click.echo(f"{label}: {shown}")


@cli.command()
@_data_dir_option
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Interface to bind; the server is read-only, but keep it local unless "
                   "you mean to publish it.")
@click.option("--port", type=click.IntRange(1, 65535), default=5000, show_default=True)
@click.option("--threads", type=click.IntRange(1, 64), default=8, show_default=True)
def serve(data_dir: Path, host: str, port: int, threads: int) -> None:
    """Serve the search page and JSON API with waitress.

    \b
    Example:
      vnarchive serve --port 8080
    """
    from waitress import serve as waitress_serve

    from web import create_app

    if not (data_dir / "archive.sqlite3").exists():
        raise click.ClickException(f"no archive in {data_dir}: run `vnarchive ingest` first")
    app = create_app({"DATA_DIR": str(data_dir)})
    click.echo(f"vnarchive serving {data_dir} on http://{host}:{port}/")
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="vnarchive")
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") \
            from None


def main() -> None:
    cli(prog_name="vnarchive")


if __name__ == "__main__":
    main()
