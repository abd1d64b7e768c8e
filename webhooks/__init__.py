"""Signed webhooks: task events POSTed to the user's endpoints and to a task's own URL.

Signed by the Standard Webhooks scheme (``webhook-id``, ``webhook-timestamp``,
``webhook-signature``), delivered by the queue with retries for about a day, every attempt
recorded. Sits above ``generation``: it hears task events (``generation.events``) and never
changes a task.
"""
