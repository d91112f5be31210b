"""What AWS says back about the opportunities it has seen: its summary on the deal (pulled by the pair's sync,
cosell.sync.deals.pair) and the schedule that refreshes it. The notifications it causes are cosell.sync.notify."""
