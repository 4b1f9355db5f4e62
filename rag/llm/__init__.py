"""LLM answer generation: the packaged local model, OpenAI-compatible servers, and the checks
that keep an LLM's answer grounded in the retrieved paragraphs."""
