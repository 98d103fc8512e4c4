from django.contrib import admin

from .models import Worker


@admin.register(Worker)
class WorkerAdmin(admin.ModelAdmin):
    list_display = ["user", "territory", "designated", "designated_on"]
    list_filter = ["territory", "designated"]
    autocomplete_fields = []
