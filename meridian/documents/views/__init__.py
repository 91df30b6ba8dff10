"""Views of generated documents: template editing, generating and downloading, and public verification."""
