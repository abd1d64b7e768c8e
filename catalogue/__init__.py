"""What AicePS can make, and with what: task types and their rules, the image primitives,
image decoding and preparation, and the providers (prompt writers and image models).

It sits below the task layer (``generation``): nothing here knows about users, credits,
queues or stored files. A provider is a module or folder in ``catalogue.providers`` that
declares what it can do and needs; ``catalogue.providers.registry`` lists them.
"""
