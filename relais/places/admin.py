from django.contrib import admin

from .models import CapacityChange, CapacityEvent, Dwelling, PlaceCapacity, Structure


class PlaceCapacityInline(admin.StackedInline):
    model = PlaceCapacity
    extra = 0
    fields = [
        ("place_type", "label", "places"),
        ("is_winter_only", "is_scattered", "is_dormitory"),
        ("accepts_men", "accepts_women", "accepts_couples", "accepts_children"),
        ("min_age", "max_age", "accepts_pets", "wheelchair_accessible"),
        "unavailable_places",
    ]
    readonly_fields = ["unavailable_places"]
    show_change_link = True


@admin.register(Structure)
class StructureAdmin(admin.ModelAdmin):
    list_display = ["name", "structure_type", "manager", "commune", "territory"]
    list_filter = ["structure_type", "territory"]
    search_fields = ["name", "finess", "siret", "commune"]
    inlines = [PlaceCapacityInline]

    def save_formset(self, request, form, formset, change):
        if formset.model is not PlaceCapacity:
            return super().save_formset(request, form, formset, change)
        for capacity in formset.save(commit=False):
            capacity.save(change_by=request.user)  # its history names who changed it
        for capacity in formset.deleted_objects:
            capacity.delete()  # the history ends with 0 places (pre_delete)
        formset.save_m2m()


class DwellingInline(admin.TabularInline):
    model = Dwelling
    extra = 0
    readonly_fields = ["places"]

    @admin.display(description="places (table 2)")
    def places(self, obj) -> int:
        return obj.places if obj.pk else 0


class CapacityEventInline(admin.TabularInline):
    """Declarations are made in the application, where they are checked; read-only here."""

    model = CapacityEvent
    extra = 0
    can_delete = False
    readonly_fields = ["kind", "delta", "actor", "occurred_at", "note"]

    def has_add_permission(self, request, obj=None) -> bool:
        return False


class CapacityChangeInline(admin.TabularInline):
    """The capacity's history (SIAO-18): written by every change, never edited."""

    model = CapacityChange
    fk_name = "capacity"
    extra = 0
    can_delete = False
    fields = readonly_fields = [
        "occurred_at",
        "recorded_at",
        "places_before",
        "places",
        "place_type",
        "is_winter_only",
        "structure",
        "actor",
        "note",
    ]

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(PlaceCapacity)
class PlaceCapacityAdmin(admin.ModelAdmin):
    list_display = ["structure", "place_type", "places", "unavailable_places", "is_winter_only"]
    list_filter = ["place_type", "is_winter_only", "structure__territory"]
    readonly_fields = ["unavailable_places"]
    inlines = [DwellingInline, CapacityEventInline, CapacityChangeInline]

    def save_model(self, request, obj, form, change):
        obj.save(change_by=request.user)
