from django.contrib import admin

from . import models


class HouseholdMemberInline(admin.TabularInline):
    model = models.HouseholdMember
    extra = 0
    autocomplete_fields = ["person"]


@admin.register(models.Person)
class PersonAdmin(admin.ModelAdmin):
    list_display = ["birth_name", "usage_name", "first_names", "birth_date_display", "sex"]
    search_fields = ["birth_name", "usage_name", "first_names"]


@admin.register(models.Household)
class HouseholdAdmin(admin.ModelAdmin):
    list_display = ["id", "principal", "created_at"]
    search_fields = ["principal__birth_name", "principal__first_names"]
    inlines = [HouseholdMemberInline]
    autocomplete_fields = ["principal"]


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
