"""Admin of review and selection: read mostly (changes go through the services and pages)."""

from django.contrib import admin

from .models import (
    Criterion,
    Review,
    ReviewerConflict,
    SelectionAdjustment,
    SelectionRun,
    StageDecision,
    StageSettings,
)


class CriterionInline(admin.TabularInline):
    model = Criterion
    extra = 0


@admin.register(StageSettings)
class StageSettingsAdmin(admin.ModelAdmin):
    list_display = [
        "stage",
        "review_opens_at",
        "review_closes_at",
        "blind_review",
        "waitlist_length",
    ]
    list_select_related = ["stage", "stage__program"]
    search_fields = ["stage__program__title", "stage__name"]


@admin.register(Review)
class ReviewAdmin(admin.ModelAdmin):
    list_display = ["stage", "application", "reviewer", "status", "total", "submitted_at"]
    list_filter = ["status", "method"]
    list_select_related = ["stage", "application", "application__enterprise", "reviewer"]
    search_fields = ["reviewer__email", "application__enterprise__name"]
    raw_id_fields = ["application", "reviewer", "assigned_by"]
    readonly_fields = ["scores", "total", "submitted_at", "reminded_at"]


@admin.register(ReviewerConflict)
class ReviewerConflictAdmin(admin.ModelAdmin):
    list_display = ["program", "reviewer", "enterprise", "created_at"]
    raw_id_fields = ["reviewer", "enterprise", "declared_by"]


@admin.register(SelectionAdjustment)
class SelectionAdjustmentAdmin(admin.ModelAdmin):
    list_display = ["stage", "application", "decision", "created_by", "created_at"]
    raw_id_fields = ["application", "created_by"]


@admin.register(SelectionRun)
class SelectionRunAdmin(admin.ModelAdmin):
    list_display = ["stage", "status", "seed", "created_at", "published_at", "published_by"]
    list_filter = ["status"]
    readonly_fields = [
        "stage",
        "status",
        "seed",
        "params",
        "candidates",
        "adjustments",
        "results",
        "shortfalls",
        "created_by",
        "created_at",
        "published_by",
        "published_at",
    ]

    def has_add_permission(self, request):
        return False


@admin.register(StageDecision)
class StageDecisionAdmin(admin.ModelAdmin):
    list_display = ["stage", "application", "status", "track", "score", "rank", "response_deadline"]
    list_filter = ["status", "reason"]
    list_select_related = ["stage", "application", "application__enterprise", "track"]
    raw_id_fields = ["application", "run"]
    readonly_fields = ["published_decision", "score", "rank", "rank_of", "reason", "run"]
