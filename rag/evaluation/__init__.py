"""Eval suites: fixed question sets run through the public API, scored and reported.

``questions`` (the JSONL format) -> ``suites`` (question set + corpus) -> ``runner`` (asks,
records a ``QuestionResult`` each) -> ``metrics`` (aggregates) -> ``report`` (JSON, Markdown,
HTML, comparison) and ``gate`` (CI check against evals/baseline.json).
"""
