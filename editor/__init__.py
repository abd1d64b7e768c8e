"""The photo editor's backend API: a thin adapter over AicePS's own services.

The React photo editor (``hangeaiagent/aice_ps``) calls 25 endpoints of its old Node backend
(``/api/edit-image``, ``/api/user-permissions/{uid}``, ``/api/task-history/*``, …). This app
answers them in the editor's shapes; every task goes through ``generation.services.task_create``
(validated, priced and charged there), and nothing the editor says about credits, users or
costs is trusted. See docs/photo-editor.md.
"""
