"""Who may do what: principals and scopes, API tokens, users, and the audit trail every write records."""
