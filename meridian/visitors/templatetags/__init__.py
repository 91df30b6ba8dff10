"""Template tags of the visitors pages."""
