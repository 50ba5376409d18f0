"""igdesk: a desktop inbox for a shop's Instagram Direct messages (official Messaging API)."""
