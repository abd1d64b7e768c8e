"""Shared admin behaviour."""


class ReadOnlyAdminMixin:
    """Records that only services write (the ledger, task history, statistics): staff read
    them in the admin and change them through actions that call those services."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
