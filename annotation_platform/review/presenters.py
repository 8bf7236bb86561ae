"""Review decisions and comments as the API and the viewer see them."""

from typing import Any

from annotation_platform.review.models import ReviewComment, ReviewDecision


def comment_as_dict(comment: ReviewComment) -> dict[str, Any]:
    decision = comment.decision
    return {
        "id": comment.pk,
        "region": comment.region,
        "axis": comment.axis,
        "point_ijk": comment.point_ijk,
        "slice_index": comment.slice_index,
        "text": comment.text,
        "reviewer": decision.reviewer.get_full_name() or decision.reviewer.username,
        "version": decision.version.number,
        "decision": decision.decision,
        "created_at": comment.created_at.isoformat(),
        "resolved": comment.resolved_at is not None,
    }


def decision_as_dict(decision: ReviewDecision) -> dict[str, Any]:
    return {
        "id": decision.pk,
        "case": decision.case_id,
        "decision": decision.decision,
        "version": decision.version.number,
        "version_id": decision.version_id,
        "reviewer": decision.reviewer.get_full_name() or decision.reviewer.username,
        "summary": decision.summary,
        "created_at": decision.created_at.isoformat(),
        "comments": [comment_as_dict(c) for c in decision.comments.all()],
    }
