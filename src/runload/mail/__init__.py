"""Weekly summaries by email: settings, composing messages, sending them exactly once."""
