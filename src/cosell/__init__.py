"""cosell: bidirectional sync between HubSpot CRM and AWS Partner Central."""
