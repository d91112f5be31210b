"""Engagements on the deal: their members and the resource snapshots shared in them (reconcile), the schedules
that catch what events missed (schedule), and the requests other contexts queue when an engagement starts."""
