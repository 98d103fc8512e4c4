from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import Organisation, Territory, User

admin.site.site_header = "Relais — administration"
admin.site.site_title = "Relais"
admin.site.index_title = "Administration du territoire"


@admin.register(Territory)
class TerritoryAdmin(admin.ModelAdmin):
    list_display = [
        "name",
        "insee_code",
        "stores_social_security_number",
        "decision_delay_days",
    ]
    search_fields = ["name", "insee_code"]


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "subtype", "territory"]
    list_filter = ["kind", "territory"]
    search_fields = ["name"]


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "first_name", "last_name", "role", "organisation", "is_active"]
    list_filter = ["role", "organisation__territory", "is_active"]
    fieldsets = [
        *BaseUserAdmin.fieldsets,
        ("Rattachement", {"fields": ["organisation", "role", "phone"]}),
    ]
    autocomplete_fields = ["organisation"]
