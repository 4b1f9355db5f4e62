"""The ways people reach the bot other than `import rag`: the command line, a running server."""
