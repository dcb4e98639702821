"""Volle Gym: the growth system for personal-training and small-group-training studios."""

__version__ = "0.1.0"
