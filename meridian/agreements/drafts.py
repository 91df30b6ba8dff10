"""Agreement documents generated from templates: the bilingual draft and the signature page."""
