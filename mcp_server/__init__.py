"""The Model Context Protocol server: AicePS's tasks, credits and history as tools for agents.

Built on the official ``mcp`` SDK's low-level server. Served as Streamable HTTP at ``/mcp``
(:mod:`.http`, mounted by ``aiceps.asgi``) and over stdio (``manage.py mcp --user NAME``).
It is an adapter like the API's views: tasks are created by ``task_create`` (validated by the
task-type definitions, charged through the ledger), read by the selectors, cancelled by
``task_cancel``; the tool schemas are generated from ``catalogue.task_types.SPECS``
(:mod:`.catalogue`), so a new task type needs no MCP code.
"""
