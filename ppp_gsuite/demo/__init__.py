"""`ppp-gsuite demo`: a fictional recruitment round on a fresh local workspace (see run.py)."""
