"""意见建议: users' suggestions and complaints about the system, answered by its administrators."""
