"""Question answering: analysis, extractive answering, grounding checks, chat history."""
