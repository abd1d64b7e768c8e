"""``manage.py mcp --user NAME`` (or ``aiceps-manage mcp``): the MCP server over stdio.

A desktop MCP client starts this command and speaks JSON-RPC on its stdin and stdout; every
tool call acts as the named user (the operator who configures the client names them, as with
``generate --user-id``). Logs go to stderr: stdout belongs to the protocol.
"""

from __future__ import annotations

import logging
import sys

import anyio
from django.core.management.base import BaseCommand, CommandError
from mcp.server.stdio import stdio_server

from mcp_server.principal import Refused, principal_for_username
from mcp_server.server import build_server


class Command(BaseCommand):
    help = "Serve the MCP server over stdio, acting as one user."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--user", required=True, help="The user every call acts as.")

    def handle(self, *args, **options) -> None:
        for handler in logging.getLogger().handlers:
            if getattr(handler, "stream", None) is sys.stdout:
                handler.setStream(sys.stderr)  # stdout carries the protocol
        try:
            principal = principal_for_username(options["user"])
        except Refused as refused:
            raise CommandError(refused.message) from None
        server = build_server(default_principal=principal)

        async def serve() -> None:
            async with stdio_server() as (read_stream, write_stream):
                await server.run(read_stream, write_stream, server.create_initialization_options())

        anyio.run(serve)
