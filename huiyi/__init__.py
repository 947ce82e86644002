"""huiyi: questions and meeting summaries over Chinese local-government meeting reports."""

__version__ = "0.1.0"
