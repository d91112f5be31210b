"""Local stand-ins for HubSpot, Partner Central and AWS plumbing. Never bundled into the Lambda artifact."""
