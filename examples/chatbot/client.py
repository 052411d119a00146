"""API clients, built once at import.

Chat goes to DeepSeek (OpenAI-compatible endpoint). DeepSeek has no embeddings endpoint, so
embeddings go to OpenAI.
"""

import os

from openai import OpenAI

chat_client = OpenAI(
    base_url="https://api.deepseek.com",
    api_key=os.environ["DEEPSEEK_API_KEY"],
    timeout=60.0,
)

embeddings_client = OpenAI(api_key=os.environ["OPENAI_API_KEY"])

CHAT_MODEL = "deepseek-chat"
EMBEDDING_MODEL = "text-embedding-3-small"
