"""Reading, cleaning, metadata, chunking, embedding, storing and searching reports."""
