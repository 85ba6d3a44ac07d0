"""The three roles, as Django groups created by a data migration (signs/0002)."""

TOWN_STAFF = "乡镇填报员"
REVIEWER = "组织部审核员"
ADMINISTRATOR = "管理员"
