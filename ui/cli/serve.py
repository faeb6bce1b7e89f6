"""`korag serve`: start the Streamlit portal (ui/web). Registered on the root app by ui/cli/app.py."""
from __future__ import annotations

import ipaddress
from typing import Annotated, Optional

import typer

from rag.settings import Settings


def streamlit_args(settings: Settings, host: str | None, port: int | None) -> list[str]:
    """`streamlit run` arguments: loopback unless told otherwise, no telemetry, no tracebacks in the browser."""
    from ui.web import APP

    options = {
        "server.address": host or settings.portal_host,
        "server.port": port or settings.portal_port,
        "server.headless": "true",  # never try to open a browser on the server
        "server.maxUploadSize": settings.max_file_mb,
        "server.fileWatcherType": "none",  # a served portal does not reload on source edits
        "browser.gatherUsageStats": "false",  # on-prem: nothing is sent to Streamlit's servers
        "client.showErrorDetails": "none",  # pages show errors as messages; this catches the rest
        "client.toolbarMode": "viewer",
        "theme.base": "light",
        "theme.primaryColor": "#2f6fde",  # Streamlit's default red reads as an error on every progress bar
    }
    return ["run", str(APP), *(f"--{key}={value}" for key, value in options.items())]


def _loopback(address: str) -> bool:
    if address == "localhost":
        return True
    try:
        return ipaddress.ip_address(address.strip("[]")).is_loopback
    except ValueError:  # a host name other than localhost: reachable from wherever it resolves
        return False


def anonymous_exposure(settings: Settings, reachable_at: str) -> str | None:
    """Why the portal must not start: open to the network with no sign-in; None when it may."""
    if settings.portal_auth != "none" or _loopback(reachable_at):
        return None
    return (f"the portal would be reachable at {reachable_at} with KORAG_PORTAL_AUTH=none: anyone who reaches "
            "it reads every knowledge base. Set KORAG_PORTAL_AUTH=key (sign in with an API key) or header "
            "(behind a proxy that signs people in), or keep it on 127.0.0.1")


HostOption = Annotated[Optional[str], typer.Option("--host", help="Address (default KORAG_PORTAL_HOST, 127.0.0.1)")]
PortOption = Annotated[Optional[int], typer.Option("--port", help="Port (default KORAG_PORTAL_PORT, 8501)")]


PublishedOption = Annotated[Optional[str], typer.Option(
    "--published-on", help="In a container: the host address its port is published on (compose's PORTAL_BIND); "
                           "the sign-in check looks at it instead of --host")]


def serve(ctx: typer.Context, host: HostOption = None, port: PortOption = None,
          published_on: PublishedOption = None) -> None:
    """Serve the portal: 질문하기, 문서, 요약, 추출, OCR, 상태 (Streamlit)."""
    from streamlit.web import cli as streamlit_cli

    settings = ctx.obj.settings
    refusal = anonymous_exposure(settings, published_on or host or settings.portal_host)
    if refusal:
        typer.echo(f"error: {refusal}", err=True)
        raise typer.Exit(2)
    # the portal is an edge of its own: it reads the same KORAG_ environment once, in this process
    streamlit_cli.main(streamlit_args(settings, host, port), prog_name="korag serve", standalone_mode=False)


def register(app: typer.Typer) -> None:
    app.command()(serve)
