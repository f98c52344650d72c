"""A district's own work: the roster, salary runs for payroll, and exports of its data."""
