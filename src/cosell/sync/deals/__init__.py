"""HubSpot deals and their opportunities: create (push), keep in step (pair), settle conflicts, fan out."""
