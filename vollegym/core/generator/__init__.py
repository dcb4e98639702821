"""Benchmark data: `vollegym generate` fills a database with studios that have years of realistic history.

Three parts, so core imports no app (the apps' own `generate.py` modules write their rows, found like `demo.py` (core/appmodules.py)):

- `spec`: what a studio is made with (its size, offers, classes, and the rates of its funnel and survival);
- `plan`: the history itself, simulated from a seed in plain Python (who came in when, who answered, booked, came,
  joined and stayed, who took which mat), so a test can hold the pages against what was made;
- `run`: the command's work: for each studio one transaction in which every app writes its part of the plan.
"""
