"""Default document templates of official trips: HTML bodies (``*.jinja``) and DOCX builders."""
