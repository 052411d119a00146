"""dslint: find unhandled status codes and unsafe retries in code that calls the DeepSeek/OpenAI API."""

__version__ = "0.1.0"
