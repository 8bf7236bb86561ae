"""Taking a case to approval through the services, for export tests."""

from annotation_platform.annotations.models import Case
from annotation_platform.review.services import case_submit, review_decide

CHECKLIST = {
    "no_ageing_wmh_as_oedema": True,
    "all_lesions_annotated": True,
    "image_quality_acceptable": True,
    "tumour_in_scope": True,
}


def approve(case: Case, annotator, reviewer) -> Case:
    case.refresh_from_db()
    version = case.latest_version
    case_submit(case=case, user=annotator, version_id=version.pk, checklist=CHECKLIST)
    review_decide(case=case, reviewer=reviewer, decision="approved", version_id=version.pk)
    case.refresh_from_db()
    return case
