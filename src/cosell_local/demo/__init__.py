"""`make demo`: the whole sync on one machine, played as a short story (`python -m cosell_local.demo`).

`rep` is a HubSpot rep for scripts and tests; `story` plays the story on a local stack; `report` prints both
systems side by side, `cosell status`, the updated deal's audit trail and where to look next; `timeline` prints and checks as it goes.
"""
