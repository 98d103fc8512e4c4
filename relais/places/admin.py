from django.contrib import admin

from .models import PlaceCapacity, Structure


class PlaceCapacityInline(admin.TabularInline):
    model = PlaceCapacity
    extra = 0


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["name", "structure_type", "manager", "commune", "territory"]
    list_filter = ["structure_type", "territory"]
    search_fields = ["name", "finess", "siret", "commune"]
    inlines = [PlaceCapacityInline]
