"""The theme catalogue, which lives with the other contracts in `schemas`."""

from schemas.catalogue import THEME_IDS, THEMES, THEMES_BY_ID, Theme

__all__ = ["THEMES", "THEMES_BY_ID", "THEME_IDS", "Theme"]
