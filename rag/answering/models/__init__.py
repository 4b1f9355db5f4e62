"""Chat models behind one streaming interface (rag.answering.protocol.ChatModel)."""
