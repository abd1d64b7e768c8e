"""The MCP server (the SDK's low-level ``Server``): tools, resources and prompts.

Handlers are thin: who is calling comes from the HTTP request (:mod:`.http` authenticated it
and put the principal in the ASGI scope) or, over stdio, from the command line; the work is
in :mod:`.tools`, :mod:`.reads` and :mod:`.library`.
"""

from __future__ import annotations

import uuid

import mcp_types as types
from mcp.server.lowlevel import Server
from mcp.shared.exceptions import MCPError

from core.errors import DomainError

from . import library
from .principal import Principal, client_ip_of
from .reads import READS
from .sync import run_sync
from .tools import Call, call_tool, tool_table

NAME = "aiceps"
SCOPE_KEY = "aiceps.principal"
READ_ONLY = frozenset({"get_task", "list_tasks", "get_credits", "list_capabilities"})
RESOURCE_NOT_FOUND = -32002  # the MCP specification's code
INSTRUCTIONS = (
    "AicePS edits photos with AI. edit_image takes photos (URLs, data URLs or ids of your "
    "earlier tasks) and an instruction in any language; generate_image makes an image from "
    "words. Each task is charged in credits (list_capabilities shows prices, get_credits the "
    "balance); results come back as images with links to the full-size files."
)


def principal_of(ctx, default: Principal | None) -> Principal:
    request = ctx.request
    scope = getattr(request, "scope", None) or {}
    principal = scope.get(SCOPE_KEY) or default
    if principal is None:  # the HTTP layer refuses this before it gets here
        raise MCPError(code=types.INVALID_REQUEST, message="Not authenticated.")
    return principal


def build_server(*, default_principal: Principal | None = None) -> Server:
    """The server; ``default_principal`` serves every request (stdio), otherwise each HTTP
    request's own."""
    connection = uuid.uuid4().hex  # stdio: one connection per process

    async def list_tools(ctx, params) -> types.ListToolsResult:
        principal_of(ctx, default_principal)
        table = await run_sync(tool_table)()
        return types.ListToolsResult(
            tools=[
                types.Tool(
                    name=name,
                    description=description,
                    input_schema=schema,
                    annotations=types.ToolAnnotations(
                        read_only_hint=name in READ_ONLY,
                        destructive_hint=False,
                        idempotent_hint=name in READ_ONLY or name not in READS,
                        open_world_hint=name not in READS,  # fetches photo URLs, runs models
                    ),
                )
                for name, (description, schema) in table.items()
            ]
        )

    async def on_call_tool(ctx, params: types.CallToolRequestParams) -> types.CallToolResult:
        principal = principal_of(ctx, default_principal)
        request = ctx.request
        headers = getattr(request, "headers", None) or {}
        base_url = str(request.base_url).rstrip("/") if request is not None else ""
        client = getattr(request, "client", None)

        async def report(progress: float, total: float | None, message: str | None) -> None:
            await ctx.session.report_progress(progress, total, message)

        call = Call(
            principal=principal,
            session=headers.get("mcp-session-id", "") if request is not None else connection,
            request_id=str(ctx.request_id),
            report=report,
            base_url=base_url,
            client_ip=client_ip_of(
                client.host if client else "", headers.get("x-forwarded-for", "")
            ),
        )
        return await call_tool(call, params.name, params.arguments)

    async def list_resources(ctx, params) -> types.ListResourcesResult:
        principal = principal_of(ctx, default_principal)
        return await run_sync(library.recent_results)(principal)

    async def list_resource_templates(ctx, params) -> types.ListResourceTemplatesResult:
        return library.result_templates()

    async def read_resource(ctx, params: types.ReadResourceRequestParams):
        principal = principal_of(ctx, default_principal)
        try:
            return await run_sync(library.read_result)(principal, str(params.uri))
        except DomainError as error:
            raise MCPError(code=RESOURCE_NOT_FOUND, message=error.message) from None

    async def list_prompts(ctx, params) -> types.ListPromptsResult:
        principal_of(ctx, default_principal)
        return await run_sync(library.prompt_list)()

    async def get_prompt(ctx, params: types.GetPromptRequestParams):
        principal_of(ctx, default_principal)
        try:
            return await run_sync(library.prompt_get)(params.name, params.arguments or {})
        except DomainError as error:
            raise MCPError(code=types.INVALID_PARAMS, message=error.message) from None

    return Server(
        NAME,
        version="1",
        title="AicePS",
        instructions=INSTRUCTIONS,
        on_list_tools=list_tools,
        on_call_tool=on_call_tool,
        on_list_resources=list_resources,
        on_list_resource_templates=list_resource_templates,
        on_read_resource=read_resource,
        on_list_prompts=list_prompts,
        on_get_prompt=get_prompt,
    )
