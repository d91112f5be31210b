"""The local runner: template.yaml's functions and their AWS plumbing, played on one machine (docs/LOCAL.md)."""
