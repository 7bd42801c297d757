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


def _engine_options(f):
    f = click.option("--opensearch-url", metavar="URL", help="OpenSearch node url(s), "
                     "comma-separated [env VNARCHIVE_OPENSEARCH_URL].")(f)
    return click.option("--engine", type=click.Choice(["embedded", "opensearch"]),
                        default=lambda: os.environ.get("VNARCHIVE_ENGINE") or "embedded",
                        help="Search engine [env VNARCHIVE_ENGINE, default embedded].")(f)


def _feed(data_dir: Path, url: str | None, since: str | None) -> None:
    from indexer import feed_engine  # an ingest's articles (stored ``since``), or all
    try:
        click.echo(feed_engine(data_dir, url, since=since))
    except Exception as exc:  # unreachable cluster, refused documents: one line, exit 1
        raise _fail(exc) from None


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
               f"{report.unchanged} unchanged, {report.failed} failed in {report.seconds:.1f} s"
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
@_engine_options
def ingest(paths: tuple[Path, ...], data_dir: Path, workers: int | None, batch: int,
           engine: str, opensearch_url: str | None) -> None:
    """Clean, store and index HTML pages, directories, JSON Lines or WARC files.

    \b
    Example:
      vnarchive ingest ../shared/corpus/html/thtg.vn
      vnarchive ingest news.jsonl.gz --data-dir /srv/vnarchive
    """
    from archive.store import StoreError
    from indexer import IndexBusy, ingest_paths, started_at

    for p in (p for p in paths if not p.exists()):
        raise click.ClickException(f"{p}: no such file or directory")
    bar = _bar(None, "ingest")
    since = started_at()
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
    if engine == "opensearch":
        _feed(data_dir, opensearch_url, since)


@cli.command()
@_data_dir_option
@_engine_options
def reindex(data_dir: Path, engine: str, opensearch_url: str | None) -> None:
    """Rebuild the search index from the stored articles, then switch to it atomically.

    The old index keeps serving until the switch.  Cached segmentation is reused.

    \b
    Example:
      vnarchive reindex --data-dir data
    """
    from archive.store import Store, StoreError
    from indexer import IndexBusy, reindex as do_reindex
    from archive.datadir import DataDir

    if not DataDir(data_dir).store.exists():
        raise click.ClickException(f"no archive in {data_dir}: run `vnarchive ingest` first")
    with Store(DataDir(data_dir).store, readonly=True) as store:
        total = store.count()
    if engine == "opensearch":
        return _feed(data_dir, opensearch_url, None)
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
@_engine_options
def search(query: str, data_dir: Path, province, province_2025, official, program, site, year,
           date_from, date_to, sort, page, per_page, as_json, engine, opensearch_url) -> None:
    """Search the archive; prints the top results and facet counts.

    \b
    Example:
      vnarchive search "giam ngheo" --province "Long An"
      vnarchive search "nông thôn mới" --json --limit 5
    """
    from indexer import IndexMissing, SearchError, SearchRequest, open_engine

    filters = {k: tuple(v) for k, v in (("province", province), ("province_2025", province_2025),
                                         ("official", official), ("program", program),
                                         ("site", site), ("year", year)) if v}
    req = SearchRequest(q=query, filters=filters, date_from=_date(date_from, "--from"),
                        date_to=_date(date_to, "--to"), sort=sort, page=page, per_page=per_page)
    try:
        searcher = open_engine(data_dir, engine, opensearch_url)
        try:
            res = searcher.search(req)
        finally:
            searcher.close()
    except (SearchError, IndexMissing) as exc:
        raise _fail(exc) from None
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
@_engine_options
def serve(data_dir: Path, host: str, port: int, threads: int, engine: str,
          opensearch_url: str | None) -> None:
    """Serve the search page and JSON API with waitress.

    \b
    Example:
      vnarchive serve --port 8080
    """
    from waitress import serve as waitress_serve

    from archive.datadir import DataDir
    from indexer import IndexMissing, SearchRequest
    from web import create_app

    if not DataDir(data_dir).store.exists():
        raise click.ClickException(f"no archive in {data_dir}: run `vnarchive ingest` first")
    import logging
    # waitress logs one "task queue depth" warning per queued request under load; a
    # supervisor that does not drain stderr would then stall the server on a full pipe.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    from indexer.analysis import crfseg
    crfseg.use_model(False)  # queries are a few words: underthesea's own model, less memory
    config = {"DATA_DIR": str(data_dir), "ENGINE": engine, "OPENSEARCH_URL": opensearch_url}
    try:
        app = create_app(config)
    except IndexMissing as exc:  # e.g. the OpenSearch client library is missing
        raise _fail(exc) from None
    try:  # warm up (segmenter, columns, lengths, vocabulary): the first visitor won't wait
        for q in ("khởi động", "khoi dong"):
            app.extensions["vnarchive"].search(SearchRequest(q=q))
    except Exception as exc:  # an empty or missing index is reported by the page itself
        click.echo(f"warning: {exc}", err=True)
    click.echo(f"vnarchive serving {data_dir} on http://{host}:{port}/")
    try:
        waitress_serve(app, host=host, port=port, threads=threads, ident="vnarchive")
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") \
            from None


@cli.command()
@click.argument("targets", nargs=-1, required=True)
@_data_dir_option
@click.option("--profiles", "profiles_dir", type=click.Path(file_okay=False, path_type=Path),
              default=lambda: os.environ.get("VNARCHIVE_SITES_DIR")
              or str(Path(__file__).resolve().parent / "corpus" / "sites"),
              show_default=False,
              help="Folder of site profiles (*.toml with a [crawl] table) "
                   "[env VNARCHIVE_SITES_DIR, default: corpus/sites].")
@click.option("--delay", type=click.FloatRange(0, 3600), default=1.0, show_default=True,
              help="Seconds between requests to one host.")
@click.option("--max-pages", type=click.IntRange(1), default=None, help="Stop after this many pages.")
@click.option("--max-mb", type=click.FloatRange(0.1), default=None, help="Stop after this many MB.")
@click.option("--contact-url", default=None, help="Contact URL sent in the User-Agent.")
@click.option("--batch", type=click.IntRange(1, 10000), default=100, show_default=True,
              help="Articles cleaned and indexed together.")
def crawl(targets: tuple[str, ...], data_dir: Path, profiles_dir: Path, delay: float,
          max_pages: int | None, max_mb: float | None, contact_url: str | None,
          batch: int) -> None:
    """Harvest sites politely into WARC files, then clean, store and index the articles.

    TARGETS are site profile names (corpus/sites/NAME.toml), URLs or bare domains.
    Interrupt with Ctrl-C at any time; running it again resumes.

    \b
    Example:
      vnarchive crawl thtg.vn --max-pages 200
      vnarchive crawl https://baomoi.example/ --delay 2
    """
    from archive.crawl.crawler import CrawlSettings, crawl as do_crawl
    from archive.sources import RawItem
    from indexer import IndexBusy, ingest_items

    settings = CrawlSettings(delay=delay, max_pages=max_pages, profiles_dir=profiles_dir,
                             max_bytes=int(max_mb * 1024 * 1024) if max_mb else None)
    if contact_url:
        settings.contact_url = contact_url
    pending: list[RawItem] = []
    totals = {"stored": 0, "failed": 0}

    def flush() -> None:
        if not pending:
            return
        items = list(pending)
        pending.clear()
        report = ingest_items(items, data_dir, workers=1)
        totals["stored"] += report.stored
        totals["failed"] += report.failed

    def on_article(page) -> None:
        pending.append(RawItem(page.final_url or page.url, "html", page.body,
                               page.final_url or page.url, page.headers.get("content-type"),
                               page.fetched))
        if len(pending) >= batch:
            flush()

    bar = _bar(max_pages, "crawl")

    def progress(info: dict) -> None:
        bar.n = int(info.get("fetched", bar.n))
        bar.set_postfix(pages_s=f"{info.get('pages_per_s', 0):.1f}",
                        queue=info.get("queued", "?"), errors=info.get("errors", 0),
                        refresh=False)
        bar.refresh()

    try:
        report = do_crawl(list(targets), data_dir, settings, on_article=on_article,
                          progress=progress)
        flush()
    except (IndexBusy, OSError) as exc:
        raise _fail(exc) from None
    finally:
        bar.close()
    skipped = ", ".join(f"{k}: {v}" for k, v in sorted(report.skipped.items())) or "none"
    click.echo(f"crawl: {report.fetched} fetched ({report.pages_per_s:.1f} pages/s), "
               f"{report.archived} archived to WARC, {report.articles} article pages, "
               f"{totals['stored']} stored, {totals['failed']} not articles; "
               f"skipped: {skipped}; {len(report.errors)} errors; "
               f"{report.queued_left} left in the queue"
               + (" (interrupted; run again to resume)" if report.interrupted else ""))
    for url, reason in report.errors[:5]:
        click.echo(f"  - {url}: {reason}")


@cli.command()
@_data_dir_option
def reclean(data_dir: Path) -> None:
    """Clean every archived WARC page again (after a cleaner upgrade) and update the index.

    Unchanged articles are left as they are; changed ones replace the stored version.

    \b
    Example:
      vnarchive reclean --data-dir data
    """
    from archive.store import StoreError
    from indexer import IndexBusy, ingest_paths, started_at

    from archive.datadir import DataDir

    layout = DataDir(data_dir)
    warcs = layout.warc_files()
    if not warcs:
        raise click.ClickException(f"no WARC files in {layout.warc_dir}: nothing to re-clean")
    bar = _bar(None, "reclean")
    try:
        report = ingest_paths(warcs, data_dir, progress=bar.update)
    except (IndexBusy, StoreError, OSError) as exc:
        raise _fail(exc) from None
    finally:
        bar.close()
    _print_report(report, "reclean")


def main() -> None:
    cli(prog_name="vnarchive")


if __name__ == "__main__":
    main()
