"""Looking inside a trained model: why it read what it read, what its filters see, and how
it can be fooled."""
