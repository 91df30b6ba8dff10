"""Default document templates of visits: HTML bodies (``*.jinja``) and the documented fields."""
