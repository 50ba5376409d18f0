"""Sync: the poller's pass over the conversations and the ingest path every source feeds."""
