"""Worklists per role and the admin dashboard's figures."""

from datetime import timedelta
from typing import Any

from django.db.models import Avg, Count, F, Q, QuerySet
from django.db.models.functions import TruncWeek
from django.utils import timezone

from annotation_platform.accounts.models import User
from annotation_platform.annotations.models import Case
from annotation_platform.core.models import AuditEvent
from annotation_platform.projects.models import Membership, Project
from annotation_platform.projects.selectors import projects_administered_by
from annotation_platform.review.models import ReviewDecision

# Earliest due date first. SQLite sorts NULL first, so cases without a due date are put last
# explicitly, as PostgreSQL does by default.
BY_DUE_DATE = (F("due_date").asc(nulls_last=True), "id")

DONE_STATES = (Case.State.SUBMITTED, Case.State.IN_REVIEW, Case.State.APPROVED, Case.State.EXCLUDED)


def _cases() -> QuerySet[Case]:
    return Case.objects.select_related(
        "study__patient", "project", "assignee", "latest_version", "reviewer"
    ).annotate(comment_count=Count("comments", distinct=True))


def worklist_for(user: User) -> dict[str, list[Case]]:
    """The user's cases by section: to annotate, rejected back, waiting for review, to review."""
    mine = _cases().filter(assignee=user)
    review_projects = Membership.objects.filter(user=user, role=Membership.Role.REVIEWER).values(
        "project_id"
    )
    to_review = (
        _cases()
        .filter(
            project_id__in=review_projects, state__in=[Case.State.SUBMITTED, Case.State.IN_REVIEW]
        )
        .exclude(assignee=user)
        .exclude(versions__author=user)
        .filter(Q(reviewer__isnull=True) | Q(reviewer=user))
    )
    return {
        "to_annotate": list(
            mine.filter(state__in=[Case.State.NEW, Case.State.ANNOTATING]).order_by(*BY_DUE_DATE)
        ),
        "rejected": list(mine.filter(state=Case.State.REJECTED).order_by(*BY_DUE_DATE)),
        "submitted": list(mine.filter(state__in=[Case.State.SUBMITTED, Case.State.IN_REVIEW])),
        "to_review": list(to_review.order_by("updated_at")),
        "done": list(
            mine.filter(state__in=[Case.State.APPROVED, Case.State.EXCLUDED]).order_by(
                "-updated_at"
            )[:50]
        ),
    }


def overdue(cases: QuerySet[Case]) -> QuerySet[Case]:
    return cases.filter(due_date__lt=timezone.localdate()).exclude(state__in=DONE_STATES)


def dashboard_for(project: Project) -> dict[str, Any]:
    """Counts per state, per annotator and per reviewer, weekly throughput, time, overdue cases."""
    cases = Case.objects.filter(project=project)
    per_state = dict(cases.values_list("state").annotate(count=Count("id")))
    per_annotator = list(
        cases.filter(assignee__isnull=False)
        .values("assignee", "assignee__username", "assignee__first_name", "assignee__last_name")
        .annotate(
            assigned=Count("id"),
            open=Count(
                "id",
                filter=Q(state__in=[Case.State.NEW, Case.State.ANNOTATING, Case.State.REJECTED]),
            ),
            submitted=Count("id", filter=Q(state__in=[Case.State.SUBMITTED, Case.State.IN_REVIEW])),
            approved=Count("id", filter=Q(state=Case.State.APPROVED)),
            rejected=Count("id", filter=Q(state=Case.State.REJECTED)),
            # Cases without recorded annotation time would pull the mean towards zero.
            mean_minutes=Avg("annotation_seconds", filter=Q(annotation_seconds__gt=0)) / 60.0,
        )
        .order_by("assignee__username")
    )
    decisions = ReviewDecision.objects.filter(case__project=project)
    per_reviewer = list(
        decisions.values(
            "reviewer", "reviewer__username", "reviewer__first_name", "reviewer__last_name"
        )
        .annotate(
            reviewed=Count("id"),
            approved=Count("id", filter=Q(decision=ReviewDecision.Decision.APPROVED)),
            rejected=Count("id", filter=Q(decision=ReviewDecision.Decision.REJECTED)),
        )
        .order_by("reviewer__username")
    )
    since = timezone.now() - timedelta(weeks=8)
    throughput = list(
        decisions.filter(decision=ReviewDecision.Decision.APPROVED, created_at__gte=since)
        .annotate(week=TruncWeek("created_at"))
        .values("week")
        .annotate(approved=Count("id"))
        .order_by("week")
    )
    return {
        "project": project,
        "total": cases.count(),
        "per_state": [
            (state, label, per_state.get(state, 0)) for state, label in Case.State.choices
        ],
        "per_annotator": per_annotator,
        "per_reviewer": per_reviewer,
        "throughput": throughput,
        "mean_annotation_minutes": (
            cases.filter(annotation_seconds__gt=0).aggregate(v=Avg("annotation_seconds"))["v"] or 0
        )
        / 60.0,
        "mean_review_minutes": (
            cases.filter(review_seconds__gt=0).aggregate(v=Avg("review_seconds"))["v"] or 0
        )
        / 60.0,
        "overdue": list(overdue(cases).select_related("study__patient", "assignee")),
    }


def audit_events_for(
    user: User, *, project_id: int | None = None, target: str = ""
) -> QuerySet[AuditEvent]:
    events = AuditEvent.objects.select_related("actor", "project")
    if not user.is_superuser:
        events = events.filter(project__in=projects_administered_by(user))
    if project_id:
        events = events.filter(project_id=project_id)
    if target:
        events = events.filter(target=target)
    return events.order_by("-created_at", "-id")
