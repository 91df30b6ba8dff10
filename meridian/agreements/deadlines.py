"""Agreement deadlines on the clock engine: renewal obligations with escalation."""
