"""The ``vnarchive`` command: a thin Click layer over archive/, indexer/ and web/.

Library errors become one-line ``click.ClickException`` messages at this edge.  The CLI
speaks English (help, messages, labels); the article data it prints stays as published.

Exit codes (also in the README and in ``vnarchive --help``):

  0  success
  1  error: no archive, index busy, cannot listen, bad query, ...
  2  usage error (Click's): unknown option, bad value such as --year abc
  3  ingest/reclean: some items failed, the others were stored
  4  ingest/reclean: every item failed, nothing was stored
"""
from __future__ import annotations

import json
import os
import sys
from pathlib import Path

import click

from cli.querying import JsonErrors, build_request, filter_options, json_error
from cli.reporting import EXIT_ERROR, exit_for, print_report, print_results, progress_bar

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

    \b
    Exit codes: 0 success, 1 error, 2 usage error,
    3 some ingested items failed, 4 every ingested item failed.
    """


@cli.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@_data_dir_option
@click.option("--workers", type=click.IntRange(1, 16), default=None,
              help="Worker processes for cleaning and segmentation [default: all cores].")
@click.option("--batch", type=click.IntRange(1, 100000), default=1000, show_default=True,
              help="Articles per commit (a crash loses at most one batch).")
def ingest(paths: tuple[Path, ...], data_dir: Path, workers: int | None, batch: int) -> None:
    """Clean, store and index HTML pages, directories, JSON Lines or WARC files.

    Exits 3 when some items failed (the others are stored), 4 when every item failed.

    \b
    Example:
      vnarchive ingest ../shared/corpus/html/thtg.vn
      vnarchive ingest news.jsonl.gz --data-dir /srv/vnarchive
    """
    from archive.store import StoreError
    from indexer import IndexBusy, ingest_paths

    from archive.sources import count_items

    for p in paths:
        if not p.exists():
            raise click.ClickException(f"{p}: no such file or directory")
    bar = progress_bar(count_items(paths) if sys.stderr.isatty() else None, "ingest")
    try:
        report = ingest_paths(paths, data_dir, workers=workers, batch=batch,
                              progress=bar.update)
    except (IndexBusy, StoreError, OSError) as exc:
        raise _fail(exc) from None
    finally:
        bar.close()
    print_report(report)
    exit_for(report)


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
    from archive.datadir import DataDir

    if not DataDir(data_dir).store.exists():
        raise click.ClickException(f"no archive in {data_dir}: run `vnarchive ingest` first")
    with Store(DataDir(data_dir).store, readonly=True) as store:
        total = store.count()
    bar = progress_bar(total, "reindex")
    try:
        count = do_reindex(data_dir, progress=bar.update)
    except (IndexBusy, StoreError, OSError) as exc:
        raise _fail(exc) from None
    finally:
        bar.close()
    click.echo(f"reindexed {count} articles")


@cli.command(cls=JsonErrors)
@click.argument("query", required=False, default="")
@_data_dir_option
@filter_options
@click.option("--page", type=click.IntRange(1, 1000), default=1, show_default=True)
@click.option("--limit", "per_page", type=click.IntRange(1, 100), default=10,
              show_default=True, help="Results per page.")
@click.option("--json", "as_json", is_flag=True,
              help="Print the same JSON as /api/search (errors as {\"error\": ...}).")
def search(query: str, data_dir: Path, page: int, per_page: int, as_json: bool,
           **opts) -> None:
    """Search the archive; prints the top results and facet counts.

    \b
    Example:
      vnarchive search "giam ngheo" --province "Long An"
      vnarchive search "nông thôn mới" --json --limit 5
    """
    from indexer import ArchiveSearcher, IndexMissing, SearchError

    req = build_request(query, opts, page=page, per_page=per_page)
    searcher = ArchiveSearcher(data_dir)
    try:
        res = searcher.search(req)
    except (SearchError, IndexMissing) as exc:
        if as_json:
            json_error(getattr(exc, "code", "no_index"), str(exc), EXIT_ERROR)
        raise _fail(exc) from None
    finally:
        searcher.close()
    if as_json:
        click.echo(json.dumps(res, ensure_ascii=False, indent=2))
        return
    print_results(res)


@cli.command()
@click.argument("query", required=False, default="")
@_data_dir_option
@filter_options
@click.option("--format", "fmt", type=click.Choice(["csv", "jsonl"]), default="csv",
              show_default=True, help="CSV (UTF-8, formula-safe) or one JSON object a line.")
@click.option("--output", "-o", type=click.File("w", encoding="utf-8", lazy=True),
              default="-", help="File to write [default: standard output].")
def export(query: str, data_dir: Path, fmt: str, output, **opts) -> None:
    """Write every match (no cap, unlike the web export) as CSV or JSON Lines, streamed.

    Columns are those of /api/export.csv; permalinks point at http://127.0.0.1:5000 unless
    $VNARCHIVE_BASE_URL says where the archive is served.

    \b
    Example:
      vnarchive export "giảm nghèo" --province "Long An" > giam-ngheo.csv
      vnarchive export "nông thôn mới" --format jsonl -o ntm.jsonl
    """
    from indexer import ArchiveSearcher, IndexMissing, SearchError
    from web.export import csv_lines, export_rows

    req = build_request(query, opts, with_snippets=True)
    base = (os.environ.get("VNARCHIVE_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")
    searcher = ArchiveSearcher(data_dir)
    try:
        chunks = searcher.export_chunks(req, None, snippets=True)
        rows = export_rows(chunks, lambda aid: f"{base}/articles/{aid}")
        lines = csv_lines(rows, bom=False) if fmt == "csv" else \
            (json.dumps(row, ensure_ascii=False) + "\n" for row in rows)
        for text in lines:
            output.write(text)
    except (SearchError, IndexMissing) as exc:
        raise _fail(exc) from None
    finally:
        searcher.close()


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
    from waitress.server import create_server

    from indexer import SearchRequest
    from web import create_app

    from archive.datadir import DataDir

    if not DataDir(data_dir).store.exists():
        raise click.ClickException(f"no archive in {data_dir}: run `vnarchive ingest` first")
    import logging
    # waitress logs one "task queue depth" warning per queued request under load; a
    # supervisor that does not drain stderr would then stall the server on a full pipe.
    logging.getLogger("waitress.queue").setLevel(logging.ERROR)
    from indexer.analysis import crfseg
    crfseg.use_model(False)  # queries are a few words: underthesea's own model, less memory
    app = create_app({"DATA_DIR": str(data_dir)})
    try:  # warm up (segmenter model, columns, field lengths, did-you-mean vocabulary) so
        # the first visitor does not wait
        for q in ("khởi động", "khoi dong"):
            app.extensions["vnarchive"].search(SearchRequest(q=q))
    except Exception as exc:  # an empty or missing index is reported by the page itself
        click.echo(f"warning: {exc}", err=True)
    try:  # bind first: "serving" is printed only once the port is ours
        server = create_server(app, host=host, port=port, threads=threads, ident="vnarchive")
    except OSError as exc:
        raise click.ClickException(f"cannot listen on {host}:{port}: {exc.strerror or exc}") \
            from None
    click.echo(f"vnarchive serving {data_dir} on http://{host}:{port}/")
    server.run()


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

    bar = progress_bar(max_pages, "crawl")

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
    from indexer import IndexBusy, ingest_paths

    from archive.datadir import DataDir

    layout = DataDir(data_dir)
    warcs = layout.warc_files()
    if not warcs:
        raise click.ClickException(f"no WARC files in {layout.warc_dir}: nothing to re-clean")
    from archive.sources import count_items

    bar = progress_bar(count_items(warcs) if sys.stderr.isatty() else None, "reclean")
    try:
        report = ingest_paths(warcs, data_dir, progress=bar.update)
    except (IndexBusy, StoreError, OSError) as exc:
        raise _fail(exc) from None
    finally:
        bar.close()
    print_report(report, "reclean")
    exit_for(report)


def main() -> None:
    cli(prog_name="vnarchive")


if __name__ == "__main__":
    main()
