// FleetLoad: the load generator and planner (issue 6); files land here.
