"""Official transcripts: assemble (document.py), render (render.py), seal and record
(service.py), sign (clr.py, keys.py), verify; whole renewal seasons (season.py) on Celery
(tasks.py); the API and the pages."""
