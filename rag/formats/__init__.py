"""Readers that turn one file format into Blocks (see ``rag.formats.blocks``)."""
