"""What agreements register in the extension registry: nav entries, tiles, partner panels, figures, watches."""
