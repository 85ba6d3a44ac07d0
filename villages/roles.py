"""The roles, as Django groups created by data migrations (signs/0002, signs/0004).

Three administrators split the system's power (三员分立, 等保 2.0): the system administrator
manages accounts and the territory, the security administrator assigns roles and lifts
sign-in locks, the audit administrator reads the audit trail. None can do another's work.
"""

TOWN_STAFF = "乡镇填报员"
REVIEWER = "组织部审核员"
SYSTEM_ADMIN = "系统管理员"
SECURITY_ADMIN = "安全管理员"
AUDIT_ADMIN = "审计管理员"

# Custom permissions (villages.TownStaff Meta) that draw the line inside the user admin.
MANAGE_ACCOUNTS = "villages.manage_accounts"
ASSIGN_ROLES = "villages.assign_roles"
