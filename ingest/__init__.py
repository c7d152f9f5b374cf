"""Documents on disk → clean, structure-aware chunks with metadata. Imports nothing from the other packages."""
