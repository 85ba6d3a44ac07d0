"""Security cases of the supervision's assessment URLs (merged into test_url_scope.REGISTRY)."""

from .cases import GET_POST, READS, REVIEWER, Case

YEAR = 2024


def year_and_town(w, side, client=None):
    return {"year": YEAR, "code": w.towns[side].code}


def remark_data(w, side):
    return {"remarks": "清理进度较快，继续巩固成果。"}


CASES: dict = {
    # Reviewer-owned: township staff get 404 even for their own township; administrators
    # (city level) may read a township's line and remarks, only reviewers write them.
    "assessment_remarks": Case(year_and_town, GET_POST, remark_data, city=READS, owner=REVIEWER),
}
