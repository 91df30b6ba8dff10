"""Who may do what in the public directory (everything else in it is public)."""

from meridian.accounts.permissions import can_write_university


def can_make_embed_snippet(user) -> bool:
    """Editors of the public site (International Office officers and administrators) build embed snippets."""
    return bool(user and user.is_authenticated) and can_write_university(user)
