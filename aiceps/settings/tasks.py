"""Task, queue, cache and serving settings, read from the environment; imported by base."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.exceptions import ImproperlyConfigured

from .env import env_bool, env_derived, env_float, env_int, env_str

# --- Tasks -------------------------------------------------------------------------------
AICEPS_SYNC_WAIT_SECONDS = env_float(
    "AICEPS_SYNC_WAIT_SECONDS",
    120.0,
    doc=(
        "how long the seed endpoint waits before answering 202, and "
        "`/v1/images` (answer or stream) before answering 504"
    ),
)
AICEPS_PROMPT_CACHE_SECONDS = env_int(
    "AICEPS_PROMPT_CACHE_SECONDS",
    3600,
    doc="reuse the professional prompt of an identical recent request",
)
AICEPS_TASK_MAX_ATTEMPTS = env_int(
    "AICEPS_TASK_MAX_ATTEMPTS", 3, doc="runs of one task before the reaper fails and refunds it"
)
AICEPS_MAX_UPLOAD_BYTES = env_int(
    "AICEPS_MAX_UPLOAD_BYTES",
    12 * 1024 * 1024,
    doc="largest accepted upload",
    shown="`12582912` (12 MB)",
)
AICEPS_MAX_IMAGE_PIXELS = env_int(
    "AICEPS_MAX_IMAGE_PIXELS", 40_000_000, doc="largest accepted image"
)
AICEPS_MODEL_MAX_SIDE = env_int(
    "AICEPS_MODEL_MAX_SIDE",
    2048,
    doc=("images are downscaled to this long side before a model sees them"),
)

# --- Queue -------------------------------------------------------------------------------
REDIS_URL = env_str(
    "REDIS_URL",
    doc="django-q2 broker and the cache that holds throttle counters",
    shown="empty: the ORM broker, per-process cache",
)
AICEPS_QUEUE_NAME = env_str(
    "AICEPS_QUEUE_NAME", "aiceps", doc="cluster name, shared by every worker on one broker"
)
# Tasks of local models (torch, a GPU) go to a queue of their own, so only workers started
# for it (Q_CLUSTER_NAME=<this> manage.py qcluster) take them; everything else runs anywhere.
AICEPS_LOCAL_QUEUE_NAME = env_derived(
    "AICEPS_LOCAL_QUEUE_NAME",
    f"{AICEPS_QUEUE_NAME}-local",
    doc=("the queue of local-model tasks (`Q_CLUSTER_NAME=` this for GPU workers)"),
    shown="`$AICEPS_QUEUE_NAME-local`",
)
AICEPS_QUEUE_WORKERS = env_int("AICEPS_QUEUE_WORKERS", 2, doc="worker processes per `qcluster`")
AICEPS_QUEUE_TIMEOUT_SECONDS = env_int(
    "AICEPS_QUEUE_TIMEOUT_SECONDS", 600, doc="a job running longer is stopped"
)
# A job that outlives its worker (killed, machine lost) is delivered again by the ORM broker
# after this long; it must exceed the timeout, or a slow job runs twice at once.
AICEPS_QUEUE_RETRY_SECONDS = env_derived(
    "AICEPS_QUEUE_RETRY_SECONDS",
    AICEPS_QUEUE_TIMEOUT_SECONDS + 60,
    doc="the ORM broker delivers a dead worker's job again after this",
    shown="`AICEPS_QUEUE_TIMEOUT_SECONDS` + 60",
)
if AICEPS_QUEUE_RETRY_SECONDS <= AICEPS_QUEUE_TIMEOUT_SECONDS:
    raise ImproperlyConfigured(
        "AICEPS_QUEUE_RETRY_SECONDS must exceed AICEPS_QUEUE_TIMEOUT_SECONDS"
    )


# --- Leases: how a running task is held, and recovered when its worker dies -----------------
@dataclass(frozen=True)
class TaskLeases:
    """``settings.AICEPS_LEASES``. A worker holds a task ``lease_seconds`` and renews it every
    ``renew_seconds`` while it runs; a task whose lease ran out lost its worker and is run
    again (or failed and refunded) by the reaper, which every qcluster runs each
    ``reaper_seconds`` (recording its heartbeat too; a worker not seen for
    ``worker_stale_seconds`` is gone). A pending task not started ``pending_rescue_seconds``
    after it was queued may have lost its job and is queued again. Tests change it with
    ``dataclasses.replace(settings.AICEPS_LEASES, ...)``."""

    lease_seconds: int
    renew_seconds: float
    reaper_seconds: float
    worker_stale_seconds: float
    pending_rescue_seconds: int

    def __post_init__(self) -> None:
        if self.renew_seconds * 2 >= self.lease_seconds:
            raise ImproperlyConfigured(
                "AICEPS_LEASE_RENEW_SECONDS must be under half of AICEPS_TASK_LEASE_SECONDS, "
                "so one late renewal does not cost a running task its lease"
            )


_LEASE_SECONDS = env_int(
    "AICEPS_TASK_LEASE_SECONDS",
    30,
    doc=(
        "a worker's claim on a running task (renewed every third of it); a "
        "task whose claim lapsed (its worker died) is re-queued or failed "
        "by the reaper"
    ),
)
_REAPER_SECONDS = env_float(
    "AICEPS_REAPER_SECONDS",
    5.0,
    doc="how often every `qcluster` looks for such tasks (and records its heartbeat)",
)
AICEPS_LEASES = TaskLeases(
    lease_seconds=_LEASE_SECONDS,
    # Renewed three times per lease: one late renewal never costs a running task its lease.
    renew_seconds=env_derived(
        "AICEPS_LEASE_RENEW_SECONDS",
        _LEASE_SECONDS / 3,
        doc="how often a worker renews its claim on a running task",
        shown="`AICEPS_TASK_LEASE_SECONDS` / 3",
    ),
    reaper_seconds=_REAPER_SECONDS,
    worker_stale_seconds=env_derived(
        "AICEPS_WORKER_STALE_SECONDS",
        max(15.0, 3 * _REAPER_SECONDS),
        doc="a worker whose heartbeat is older than this is gone",
        shown="3 × `AICEPS_REAPER_SECONDS`, at least `15`",
    ),
    pending_rescue_seconds=env_int(
        "AICEPS_PENDING_RESCUE_SECONDS",
        30,
        doc=(
            "a pending task not started this long after it was queued is queued"
            " again (its job was lost)"
        ),
    ),
)
# A provider is offered only while a worker of its queue group lives (its heartbeat is newer
# than AICEPS_LEASES.worker_stale_seconds). Web processes read the heartbeats at most every
# AICEPS_WORKER_CHECK_SECONDS.
AICEPS_WORKER_CHECK = env_bool(
    "AICEPS_WORKER_CHECK",
    True,
    doc=(
        "offer a provider only while a worker of its queue group is alive, and refuse a task "
        "no live worker would take with 503 `no_worker`, nothing charged (off: tasks wait in "
        "the queue for a worker)"
    ),
)
AICEPS_WORKER_CHECK_SECONDS = env_float(
    "AICEPS_WORKER_CHECK_SECONDS",
    3.0,
    doc="how long a web process reuses what it read of the workers' heartbeats",
)
# The ORM broker's poll: a queued job waits half of it on average before a worker sees it.
AICEPS_QUEUE_POLL_SECONDS = env_float(
    "AICEPS_QUEUE_POLL_SECONDS",
    0.05,
    doc=("ORM broker poll interval (a queued job waits half of it on average)"),
)
Q_CLUSTER = {
    "name": AICEPS_QUEUE_NAME,
    "workers": AICEPS_QUEUE_WORKERS,
    "timeout": AICEPS_QUEUE_TIMEOUT_SECONDS,
    # retry must exceed timeout, or a slow task is handed to a second worker while it runs.
    "retry": AICEPS_QUEUE_RETRY_SECONDS,
    "max_attempts": env_int("AICEPS_QUEUE_MAX_ATTEMPTS", 3, doc="deliveries of one job"),
    "poll": AICEPS_QUEUE_POLL_SECONDS,
    # Successful jobs are not kept (TaskHistory is the record): keeping the last N made the
    # monitor lock and load all N rows for every finished job. Failed jobs are kept.
    "save_limit": -1,
    "ack_failures": True,
    "catch_up": False,
    # Jobs a cluster takes ahead of its free workers: few, as a killed cluster loses them.
    "queue_limit": AICEPS_QUEUE_WORKERS,
    "label": "Queue",
    # The local-model queue: the same settings, its own list of jobs.
    "ALT_CLUSTERS": {AICEPS_LOCAL_QUEUE_NAME: {}},
}
if REDIS_URL:
    Q_CLUSTER["redis"] = REDIS_URL
else:
    Q_CLUSTER["orm"] = "default"

# Throttle counters live in the cache, shared by every process: Redis when there is one,
# otherwise a table of the database (created by operations' migration). Never per process.
CACHES = {
    "default": (
        {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": REDIS_URL}
        if REDIS_URL
        else {
            "BACKEND": "core.cache.DatabaseCache",  # atomic add/incr for the counters
            "LOCATION": "aiceps_cache",
            "OPTIONS": {"MAX_ENTRIES": 100_000, "CULL_FREQUENCY": 4},
        }
    )
}

# --- Serving: waiting clients and request limits -----------------------------------------
# Everything that waits for a task (event streams, the seed endpoint, /v1/images) holds a
# socket, never a thread; these bound how many each user and each web process may hold.
AICEPS_MAX_WAITERS_PER_USER = env_int(
    "AICEPS_MAX_WAITERS_PER_USER",
    8,
    doc=(
        "event streams and synchronous waits one user may hold at once, per"
        " web process (429 beyond)"
    ),
)
AICEPS_MAX_WAITERS_PER_PROCESS = env_int(
    "AICEPS_MAX_WAITERS_PER_PROCESS", 5000, doc="waiting clients per web process (503 beyond)"
)
AICEPS_STREAM_MAX_SECONDS = env_int(
    "AICEPS_STREAM_MAX_SECONDS",
    30 * 60,
    doc="longest event stream; keep-alive comment interval",
    shown="`1800`",
)
AICEPS_STREAM_HEARTBEAT_SECONDS = env_float(
    "AICEPS_STREAM_HEARTBEAT_SECONDS", 15.0, doc="longest event stream; keep-alive comment interval"
)
# How waiters learn of task changes: "auto" picks Redis pub/sub when REDIS_URL is set, else
# PostgreSQL LISTEN/NOTIFY on PostgreSQL, else one shared poll per process (SQLite).
AICEPS_NOTIFY_BACKEND = env_str(
    "AICEPS_NOTIFY_BACKEND",
    "auto",
    doc=(
        "how waiters learn of task changes: `redis`, `postgres`, `poll` "
        "(`auto`: Redis with `REDIS_URL`, else PostgreSQL's `LISTEN`, else "
        "a shared poll)"
    ),
)
AICEPS_NOTIFY_POLL_SECONDS = env_float(
    "AICEPS_NOTIFY_POLL_SECONDS",
    0.2,
    doc=("the shared poll's tick (SQLite); its rare tick beside Redis or PostgreSQL"),
)
# With Redis or PostgreSQL, the same shared poll still runs this rarely, in case a
# notification was lost while the listener reconnected.
AICEPS_NOTIFY_SAFETY_POLL_SECONDS = env_float(
    "AICEPS_NOTIFY_SAFETY_POLL_SECONDS",
    5.0,
    doc=("the shared poll's tick (SQLite); its rare tick beside Redis or PostgreSQL"),
)
# Threads per web process for the short synchronous parts of requests (ORM, parsing).
AICEPS_WEB_SYNC_THREADS = env_int(
    "AICEPS_WEB_SYNC_THREADS",
    32,
    doc=("threads per web process for the synchronous parts of requests"),
)
# A request body larger than this is refused with 413 from its Content-Length, unread.
AICEPS_MAX_REQUEST_BYTES = env_derived(
    "AICEPS_MAX_REQUEST_BYTES",
    5 * AICEPS_MAX_UPLOAD_BYTES + 1024 * 1024,
    doc=("larger bodies are refused with 413 from `Content-Length`, unread"),
    shown="5 × `AICEPS_MAX_UPLOAD_BYTES` + 1 MB",
)
