"""Role cards (stacks of micro-credentials toward a designation): award detection,
tapering maintenance and their salary effects. Pure functions, like ledger.engine.

The rulebook format for role cards is validated and stored by ledger.rulebooks; the
evaluation lands with issue 3.
"""
