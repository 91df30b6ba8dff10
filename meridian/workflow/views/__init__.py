"""Pages of the workflow engine: landing, inbox, case moves and step actions, notifications, chain editing."""
