"""igdesk package."""
