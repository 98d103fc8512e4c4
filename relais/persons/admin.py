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
