from django.contrib import admin

from .models import AuditEvent, AuditPurge


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the database refuses changes anyway (SEC-01)."""

    list_display = ["at", "username", "action", "object_type", "object_id", "person_id"]
    list_filter = ["action"]
    search_fields = ["username", "object_id"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AuditPurge)
class AuditPurgeAdmin(AuditEventAdmin):
    list_display = ["at", "cutoff", "purged_count", "first_purged_id", "last_purged_id"]
    list_filter = []
    search_fields = []
