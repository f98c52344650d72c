"""The micro-credential ledger.

`ledger.app.create_app` builds the Flask app and lists the domains; each domain is a
package here holding its whole slice (service, schemas, API, pages). `ledger.engine` and
the top-level `pathways` package are the pure rules: importing them loads neither Flask
nor SQLAlchemy, which is why this module imports nothing.
"""
