"""What the notebooks need besides the library: self-checking exercises, figures, output
bars and saved-notebook hygiene."""
