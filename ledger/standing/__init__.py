"""An educator's standing: renewal progress, role cards and salary, read from the ledger and judged by the engine."""
