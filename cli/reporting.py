"""What the CLI prints about work done: exit codes, progress bars, ingest reports and search
results (English; article data as published)."""
from __future__ import annotations

import html as html_mod
import sys

import click

__all__ = ["EXIT_OK", "EXIT_ERROR", "EXIT_USAGE", "EXIT_SOME_FAILED", "EXIT_ALL_FAILED",
           "progress_bar", "exit_for", "print_report", "print_results"]

EXIT_OK, EXIT_ERROR, EXIT_USAGE, EXIT_SOME_FAILED, EXIT_ALL_FAILED = 0, 1, 2, 3, 4


def progress_bar(total: int | None, label: str):
    """A progress bar on stderr (only on a terminal); with a total it shows the ETA."""
    from tqdm import tqdm
    return tqdm(total=total, desc=label, unit=" items", disable=None, file=sys.stderr,
                mininterval=0.5, smoothing=0.1)


def exit_for(report) -> None:
    """Exit 3 when some items failed, 4 when all did (nothing stored)."""
    if report.failed and report.stored == 0:
        click.echo("error: nothing was ingested", err=True)
        sys.exit(EXIT_ALL_FAILED)
    if report.failed:
        sys.exit(EXIT_SOME_FAILED)


def print_report(report, what: str = "ingest") -> None:
    click.echo(f"{what}: {report.added} added, {report.replaced} replaced, "
               f"{report.unchanged} unchanged, {report.failed} failed "
               f"in {report.seconds:.1f} s"
               + (f" ({report.stored / report.seconds:.1f} articles/s)" if report.seconds else ""))
    if report.failed:
        reasons = ", ".join(f"{k}: {v}" for k, v in sorted(report.reasons.items()))
        click.echo(f"failures by reason: {reasons}")
        for line in report.first_failures[:5]:
            click.echo(f"  - {line}")


def strip_marks(html: str) -> str:
    return html_mod.unescape(html.replace("<mark>", "[").replace("</mark>", "]"))


def print_results(res: dict) -> None:
    click.echo(f"{res['total']} results ({res['took_ms']:.0f} ms)"
               + (" — no article has every word; showing articles with some of them"
                  if res["fallback"] else ""))
    if res.get("suggestion"):
        click.echo(f"Did you mean: {res['suggestion']}")
    start = (res["page"] - 1) * res["per_page"]
    for i, hit in enumerate(res["results"], start + 1):
        day = (hit["published"] or "")[:10] or "undated"
        click.secho(f"{i:>3}. {hit['title']}", bold=True)
        click.echo(f"     {hit['site']} · {day} · id {hit['id']} · {hit['url']}")
        if hit["snippet"]:
            click.echo(f"     {strip_marks(hit['snippet'])}")
    for name, label in (("province", "Province"), ("province_2025", "Province (2025 borders)"),
                        ("official", "Official"), ("program", "Programme"),
                        ("site", "Site"), ("year", "Year"), ("author", "Author"),
                        ("section", "Section"), ("tag", "Tag")):
        values = res["facets"].get(name) or []
        if values:
            shown = ", ".join(f"{v['value']} ({v['count']})" + ("*" if v["selected"] else "")
                              for v in values)
            click.echo(f"{label}: {shown}")

