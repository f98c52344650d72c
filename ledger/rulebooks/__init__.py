"""State rulebooks (CONTRACT.md section 2): the format, versioned loading, and the engine's view of a version."""
