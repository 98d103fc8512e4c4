from django.contrib import admin

from .models import Orientation, OrientationEvent


class OrientationEventInline(admin.TabularInline):
    model = OrientationEvent
    extra = 0
    can_delete = False
    readonly_fields = ["from_state", "to_state", "actor", "occurred_at", "recorded_at", "note"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Orientation)
class OrientationAdmin(admin.ModelAdmin):
    """Read-only: states change only through the transitions, in the application."""

    list_display = ["request", "structure", "state", "places", "created_at"]
    list_filter = ["state", "structure__territory"]
    inlines = [OrientationEventInline]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False
