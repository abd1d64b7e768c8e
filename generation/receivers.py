"""A user deleted (the admin, ``user.delete()``): their files go once the deletion commits.

The database removes their tasks with them (the ledger keeps its rows, see
``accounts.signals``); files in storage are not rows, so they are removed here, after the
commit (a deletion that rolls back leaves every file in place).
"""

from __future__ import annotations

import functools
import logging

from django.conf import settings
from django.db import transaction
from django.db.models.signals import pre_delete
from django.dispatch import receiver

logger = logging.getLogger(__name__)


@receiver(pre_delete, sender=settings.AUTH_USER_MODEL, dispatch_uid="generation_user_files")
def purge_files_of_deleted_user(sender, instance, **kwargs) -> None:
    transaction.on_commit(functools.partial(_purge, instance.pk), robust=True)


def _purge(user_id) -> None:
    from .services.deletion import user_files_purge

    removed = user_files_purge(user_id=user_id)
    logger.info("files of a deleted user removed", extra={"user_id": user_id, "files": removed})
