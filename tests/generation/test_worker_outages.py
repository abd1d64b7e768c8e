"""A task running while the database goes away: once it is back, the task runs again (its
lease ran out while its worker could not renew it) and ends soon after, ledger intact. With the
short lease of the tests (``tests.fakes.worker.fault_timings``); ``python bench/faults.py``
runs it with production's, the database away for 20 s."""

from __future__ import annotations

import time

import pytest
from django.db import connections, transaction
from django_q.conf import Conf

from accounts.selectors import credits_balance, credits_ledger_sum
from catalogue.imaging import inspect_upload
from generation.models import TaskHistory
from generation.services import TaskInput, task_create
from tests.conftest import make_photo
from tests.fakes.figures import record_figure
from tests.fakes.outages import TcpProxy
from tests.fakes.worker import Worker, database_url, fault_timings, wait_for

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.slow]
TIMINGS = fault_timings()
SLOW = {
    **TIMINGS.env(),
    "AICEPS_PROMPT_WRITER": "tests.fakes.providers.EchoPromptWriter",
    "AICEPS_IMAGE_PROVIDER": "tests.fakes.providers.PidWritingImageProvider",
}


def status_of(task_id) -> str:
    return TaskHistory.objects.get(pk=task_id).status


def test_a_task_survives_a_database_outage(user, settings, monkeypatch, tmp_path):
    if connections["default"].vendor != "postgresql":
        pytest.skip("a worker's open SQLite file keeps working when its folder goes away")
    monkeypatch.setattr(Conf, "SYNC", False)
    settings.AICEPS_PROMPT_WRITER = SLOW["AICEPS_PROMPT_WRITER"]
    settings.AICEPS_IMAGE_PROVIDER = SLOW["AICEPS_IMAGE_PROVIDER"]
    with transaction.atomic():
        data = TaskInput(prompt="黑白", images=(inspect_upload(make_photo()),))
        task_id = task_create(user=user, data=data).task.pk
    pids = tmp_path / "pids"
    db = connections["default"].settings_dict
    proxy = TcpProxy((db["HOST"] or "127.0.0.1", int(db["PORT"] or 5432)))
    proxy.start()
    url = database_url().replace(f"@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/", "@")
    url = url.replace("@", f"@127.0.0.1:{proxy.port}/", 1)
    cut, restore = proxy.stop, proxy.start
    with Worker(**SLOW, DATABASE_URL=url, AICEPS_TEST_PID_FILE=str(pids)):
        wait_for(lambda: pids.exists(), timeout=60, interval=0.1)  # the model call runs
        cut()
        time.sleep(2.5 * TIMINGS.model)  # the model call ends while the database is away
        restore()
        back = time.monotonic()
        wait_for(
            lambda: status_of(task_id) in ("completed", "failed"),
            timeout=TIMINGS.bound() + 30,
            interval=0.5,
        )
        recovered = time.monotonic() - back
    proxy.stop()
    record_figure("a task cut off from the database, final after its return", recovered)
    assert status_of(task_id) == "completed"
    assert recovered < TIMINGS.bound()
    assert credits_balance(user=user) == 9 == credits_ledger_sum(user=user)
