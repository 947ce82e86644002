"""Service layer: answering, summarising, LLM client, HTTP app."""
