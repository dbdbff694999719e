"""The only package that imports PySide6: the host's window."""
