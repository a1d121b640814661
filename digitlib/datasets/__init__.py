"""Digits to learn from and to test on: MNIST, the learner's own digits, and generated
numbers, photos, crops and non-digits."""
