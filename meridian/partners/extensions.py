"""What partners register in the extension registry: navigation, partner-page panels, figures, watches."""
