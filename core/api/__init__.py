"""The API toolkit every app's API shares, below them all: how an exception becomes an answer
(:mod:`core.api.problems`, one description and one body per answer shape) and the OpenAPI
schema class that documents those answers (:mod:`core.api.schema`). Who may call and how
often (authentication, throttles, the acting user) is ``accounts``' part: ``accounts.access``,
and the global exception handler that counts failed credentials, ``accounts.api_errors``."""
