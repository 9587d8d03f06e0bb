"""`ppp-gsuite doctor`: the first-run check against a live Workspace, on throw-away files only."""
