"""Views of the Global Vision site: public pages, files, SEO documents and the editor pages."""

from meridian.portal.views.public import root_redirect

__all__ = ["root_redirect"]
