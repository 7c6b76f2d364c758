"""Configuration: defaults.toml (every key, commented), the loader and the Settings object."""

from postvak.config.errors import ConfigError
from postvak.config.loader import load_defaults, load_settings
from postvak.config.settings import Section, Settings

__all__ = ["ConfigError", "Section", "Settings", "load_defaults", "load_settings"]
