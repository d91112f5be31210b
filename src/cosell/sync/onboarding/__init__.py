"""Getting a partner's HubSpot ready for cosell: `setup` (properties, access checks). Backfill of existing
deals, adopting existing opportunities and the dry-run plan belong here too."""
