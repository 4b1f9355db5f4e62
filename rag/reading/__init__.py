"""One file -> paragraphs: a reader per format (rag.reading.readers), discovery, titles and
heading paths, and the detector of text that instructs an AI."""
