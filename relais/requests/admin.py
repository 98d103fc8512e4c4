from django.contrib import admin

from . import models


class RequestEventInline(admin.TabularInline):
    model = models.RequestEvent
    extra = 0
    can_delete = False
    readonly_fields = [
        "kind",
        "actor",
        "from_state",
        "to_state",
        "occurred_at",
        "recorded_at",
        "note",
        "data",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(models.Request)
class RequestAdmin(admin.ModelAdmin):
    list_display = ["id", "person", "channel", "status", "referrer_organisation", "created_at"]
    list_filter = ["channel", "status", "territory"]
    search_fields = ["person__birth_name", "person__usage_name", "person__first_names"]
    readonly_fields = ["status", "host_structure", "admitted_at", "ended_at", "closed_at"]
    autocomplete_fields = ["person", "household", "referrer"]
    inlines = [RequestEventInline]
