"""kehoach: Vietnamese national-target-program plans into clean, comparable tables."""

__version__ = "0.1.0"
# Bumped when extraction output changes for the same input (incremental runs key on it).
PIPELINE_VERSION = f"kehoach-{__version__}"
