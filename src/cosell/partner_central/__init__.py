"""partner_central."""
