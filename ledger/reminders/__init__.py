"""Reminders (issue 17, CONTRACT.md section 8): notices to educators before their
deadlines and a weekly digest to HR and the state office, recorded before they are sent.
rules.py (pure: what is due), sources.py and digest.py (who may have something), service.py
(the job), delivery.py (mail), settings.py (turning optional notices off), views.py (what
went out, scoped), and the CLI, Celery task, API and pages."""
