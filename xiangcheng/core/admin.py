from django.contrib import admin

from .models import Programme


@admin.register(Programme)
class ProgrammeAdmin(admin.ModelAdmin):
    list_display = ["name", "slogan", "order", "slug"]
    list_editable = ["order"]
    prepopulated_fields = {"slug": ["name"]}
