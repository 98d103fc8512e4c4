from django.contrib import admin

from .models import ImplantationProject


@admin.register(ImplantationProject)
class ImplantationProjectAdmin(admin.ModelAdmin):
    list_display = ["establishment", "siae", "lead_name", "started_on", "target_opening_on"]
    list_filter = ["territory"]
    search_fields = ["establishment__name", "siae__name", "lead_name", "activity"]

    def has_add_permission(self, request) -> bool:
        return False  # a project opens with its steps and acts: ImplantationProject.open
