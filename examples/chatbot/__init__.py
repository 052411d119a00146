"""Helpdesk chatbot: a small FastAPI app and a nightly worker that call DeepSeek through the
openai SDK. Part of dslint's examples: some handling here is deliberately wrong (see README.md)."""
