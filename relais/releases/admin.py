from django.contrib import admin

from .models import DryExit, Escalation, FollowUpCheck


@admin.register(Escalation)
class EscalationAdmin(admin.ModelAdmin):
    list_display = ["detention", "step", "due_on", "solution", "raised_at"]
    raw_id_fields = ["detention"]


@admin.register(DryExit)
class DryExitAdmin(admin.ModelAdmin):
    list_display = ["detention", "on", "solution", "recorded_at"]
    raw_id_fields = ["detention", "person"]


@admin.register(FollowUpCheck)
class FollowUpCheckAdmin(admin.ModelAdmin):
    list_display = ["detention", "months", "due_on", "reminded_at", "answered_at", "outcome"]
    raw_id_fields = ["detention", "by"]
