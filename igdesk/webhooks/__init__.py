"""Webhooks: signature and verify-token checks, and parsing deliveries into typed events.

Pure and Qt-free. The receiver, durable queue, tunnels and subscription checks build on these.
"""
