"""Submitting an opportunity to AWS (co-sell or for visibility) and following the submission's task."""
