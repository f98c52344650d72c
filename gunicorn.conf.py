"""gunicorn's settings for production; `gunicorn wsgi:app`, run from this folder, reads them.

- Threaded workers (gthread): a worker's main thread keeps telling the arbiter it is alive
  while its threads serve, so a long streamed download (a state's whole export: two
  million entries take minutes) is not killed at `timeout` as a sync worker's would be.
- The request line up to 8190 bytes (gunicorn's most), so the app answers an over-long URL
  itself (414, JSON under /api/v1) instead of gunicorn's HTML page.
Each setting can still be given on the command line or in GUNICORN_CMD_ARGS.
"""

import os

workers = int(os.environ.get("WEB_CONCURRENCY", "4"))
worker_class = "gthread"
threads = int(os.environ.get("WEB_THREADS", "4"))
limit_request_line = 8190
timeout = 60  # a worker silent this long is restarted; under gthread that is a hung worker, not a long download
