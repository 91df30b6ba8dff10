"""Views of the public directory: pages, open data feeds and the embeddable widget."""
