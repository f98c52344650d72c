"""What every blueprint shares: the API plumbing, signing in, the one error path, forms and text checks."""
