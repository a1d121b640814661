"""Training the digit model and its companion: the network, the recipe, evaluation,
distillation and fine-tuning."""
