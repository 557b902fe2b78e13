"""``fluorologic workbench [FILE]``: the analyst's workbench on 127.0.0.1, opened in the browser.

FILE (a batch of encounters, or results written by ``fluorologic solve``) is loaded and solved first; the
browser opens on its dashboard. The server is the same as ``fluorologic serve`` (the API answers beside the
pages); it listens on 127.0.0.1 unless ``--host`` says otherwise, which then needs ``--token``.

Examples
--------
>>> from click.testing import CliRunner
>>> res = CliRunner().invoke(workbench, ["--host", "0.0.0.0", "--no-browser"])
>>> res.exit_code, "--token" in res.output
(2, True)

"""

from __future__ import annotations

import os
import sys
import threading
import webbrowser
from pathlib import Path

import click

from fluorologic.cli.serve import check_exposure, is_loopback
from fluorologic.contract.errors import DataError, InputError
from fluorologic.rules.source import rule_source

__all__ = ["workbench"]


@click.command()
@click.argument("file", required=False)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8765, show_default=True, type=click.IntRange(1, 65535))
@click.option("--token", envvar="FLUOROLOGIC_TOKEN", default=None,
              help="Require this token (needed when --host is not a loopback address) [env: FLUOROLOGIC_TOKEN].")
@click.option("--store", type=click.Path(dir_okay=False), default=None,
              help="Rule store with imported CMS quarters [default: $FLUOROLOGIC_STORE or the per-user data folder].")
@click.option("--as-of-quarter", default=None, help="Solve new batches under this loaded quarter, e.g. 2024Q3.")
@click.option("--db", type=click.Path(dir_okay=False), default=None,
              help="The workbench database [default: $FLUOROLOGIC_WORKBENCH_DB or workbench.sqlite beside the store].")
@click.option("--browser/--no-browser", default=True, show_default=True, help="Open the page in the browser.")
def workbench(file: str | None, host: str, port: int, token: str | None, store: str | None,
              as_of_quarter: str | None, db: str | None, browser: bool) -> None:
    """Start the analyst's workbench (and the API) on 127.0.0.1; FILE is loaded and solved first."""
    import uvicorn  # the server is loaded only when serving

    from fluorologic.service.app import Settings, create_app  # FastAPI and the app: loaded only when serving
    from fluorologic.service.timeouts import HTTP_PROTOCOL

    check_exposure(host, token)
    try:
        rule_source(store, as_of_quarter)
    except DataError as exc:
        raise click.UsageError(str(exc)) from None
    if db:
        os.environ["FLUOROLOGIC_WORKBENCH_DB"] = db
    settings = Settings(store=store, as_of_quarter=as_of_quarter, solver_process=False)
    app = create_app(settings)
    path = "/workbench/"
    if file:
        try:
            text = sys.stdin.read() if file == "-" else Path(file).read_text(encoding="utf-8")
            bid = app.state.workbench().load(Path(file).name if file != "-" else "stdin", text)
        except (OSError, UnicodeDecodeError) as exc:
            raise click.UsageError(f"cannot read {file}: {exc}") from None
        except InputError as err:
            raise click.UsageError(f"{file}: {err.message}") from None
        path = f"/workbench/batches/{bid}"
    shown = host if is_loopback(host) or ":" not in host else f"[{host}]"
    url = f"http://{shown}:{port}{path}"
    secret = os.environ.get("FLUOROLOGIC_TOKEN")
    click.echo(f"fluorologic workbench: {url}" + (f"?token={secret}" if secret else ""))
    if browser:
        opened = url + (f"?token={secret}" if secret else "")
        threading.Timer(1.0, webbrowser.open, args=(opened,)).start()
    uvicorn.run(app, host=host, port=port, log_level="info", access_log=False, http=HTTP_PROTOCOL)

