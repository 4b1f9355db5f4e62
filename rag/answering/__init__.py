"""Passages -> Answer: generators behind one protocol (rag.answering.protocol), the evidence
scorer they share, answerability, question kinds and synthesis, grounding of a model's draft,
the chat models, and the one factory that picks a generator."""
