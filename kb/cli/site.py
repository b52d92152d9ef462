"""`kb build` and `kb serve`: the website of the knowledge base."""

from __future__ import annotations

import threading
from pathlib import Path

import click

from kb.cli.common import root_of
from kb.core.problems import Problem
from kb.site.build import Builder, BuildReport, build_site
from kb.site.escape import safe_url
from kb.site.serve import make_server, watch

__all__ = ["build", "serve"]


def _builder_option(function: click.decorators.FC) -> click.decorators.FC:
    options = [
        click.option(
            "-o",
            "--output",
            type=click.Path(file_okay=False, path_type=Path),
            help="Directory for the HTML site [default: ROOT/site-build].",
        ),
        click.option(
            "--docs-dir",
            type=click.Path(file_okay=False, path_type=Path),
            help="Where to write the Markdown docs tree [default: ROOT/docs-build].",
        ),
        click.option(
            "--builder",
            type=click.Choice(["mkdocs", "zensical"]),
            default="mkdocs",
            show_default=True,
            help="The static-site builder that turns the docs tree into HTML.",
        ),
        click.option("--no-search", is_flag=True, help="Skip the Pagefind search index."),
    ]
    for option in reversed(options):
        function = option(function)
    return function


def _build(
    root: Path,
    output: Path,
    docs_dir: Path | None,
    builder: str,
    no_search: bool,
    site_url: str | None = None,
) -> BuildReport | list[Problem]:
    chosen: Builder = "zensical" if builder == "zensical" else "mkdocs"
    return build_site(
        root,
        output,
        docs_dir or root / "docs-build",
        builder=chosen,
        search=not no_search,
        site_url=site_url,
        progress=click.echo,
    )


def _site_url(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    if value is not None and safe_url(value) != value:
        raise click.BadParameter(f"{value!r} is not an absolute http(s) URL without spaces")
    return value


def _report(outcome: BuildReport | list[Problem]) -> bool:
    """Print the outcome of a build; True when it succeeded."""
    if isinstance(outcome, list):
        for problem in outcome:
            click.echo(problem.render())
        click.echo(f"build failed: {len(outcome)} problem(s); nothing was published", err=True)
        return False
    stages = ", ".join(f"{name} {seconds:.1f} s" for name, seconds in outcome.timings.items())
    click.echo(f"built {outcome.pages} pages into {outcome.output} ({stages})")
    return True


@click.command()
@_builder_option
@click.option(
    "--site-url",
    callback=_site_url,
    help="Public address of the site (e.g. https://example.org/kb/), for canonical links "
    "and the sitemap.",
)
@click.pass_context
def build(
    ctx: click.Context,
    output: Path | None,
    docs_dir: Path | None,
    builder: str,
    no_search: bool,
    site_url: str | None,
) -> None:
    """Build the website: the Markdown docs tree, then HTML and the search index."""
    root = root_of(ctx)
    site = output or root / "site-build"
    outcome = _build(root, site, docs_dir, builder, no_search, site_url)
    ctx.exit(0 if _report(outcome) else 1)


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", type=int, default=8000, show_default=True, help="Port to listen on.")
@click.option(
    "--interval",
    type=float,
    default=1.0,
    show_default=True,
    help="Seconds between checks of papers/ and taxonomy/ for changes.",
)
@_builder_option
@click.pass_context
def serve(
    ctx: click.Context,
    output: Path | None,
    host: str,
    port: int,
    interval: float,
    docs_dir: Path | None,
    builder: str,
    no_search: bool,
) -> None:
    """Build the website, serve it on localhost and rebuild when papers/ or taxonomy/ change."""
    root = root_of(ctx)
    site = output or root / "site-build"

    def rebuild() -> bool:
        return _report(_build(root, site, docs_dir, builder, no_search))

    if not rebuild():
        ctx.exit(1)
    try:
        server = make_server(site, host, port)
    except OSError as error:
        click.echo(f"kb serve: cannot listen on {host}:{port}: {error.strerror}", err=True)
        ctx.exit(1)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    click.echo(f"serving {site} on http://{host}:{port}/ (Ctrl-C to stop)")
    stop = threading.Event()

    def changed() -> None:
        click.echo("change in papers/ or taxonomy/: rebuilding")
        if not rebuild():
            click.echo("still serving the last good build")

    try:
        watch([root / "papers", root / "taxonomy"], changed, interval, stop)
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        stop.set()
        server.shutdown()
        server.server_close()
