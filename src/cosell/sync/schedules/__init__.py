"""The safety nets behind best-effort events, run on schedules: the sweep of changed opportunities, and the
poll of pending referrals. Each only queues requests; the worker reconciles them."""
