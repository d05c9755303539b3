"""PDF rendering (WeasyPrint) and CSV."""
