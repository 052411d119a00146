"""Background jobs: translation, moderation, tagging and the balance check.

Each of them retries the DeepSeek API in its own way; `dslint examples/` shows what goes wrong.
"""

import asyncio
import logging
import os
import time

import openai
import requests
from openai import AsyncOpenAI, OpenAI
from tenacity import retry, retry_if_exception_type, stop_after_attempt

from .client import CHAT_MODEL, chat_client

log = logging.getLogger(__name__)

DEEPSEEK_URL = "https://api.deepseek.com"
RETRY_DELAY = 2

async_client = AsyncOpenAI(base_url=DEEPSEEK_URL, api_key=os.environ["DEEPSEEK_API_KEY"])
# The jobs retry by themselves, so the SDK's own retries are turned off.
batch_client = OpenAI(base_url=DEEPSEEK_URL, api_key=os.environ["DEEPSEEK_API_KEY"],
                      max_retries=0)  # expect: DS307


class JobFailed(Exception):
    """A job gave up; the scheduler reports it."""


# Retries every status error: a 402 Insufficient Balance is tried five times, back to back.
@retry(retry=retry_if_exception_type(openai.APIStatusError), stop=stop_after_attempt(5), reraise=True)  # expect: DS201(400,401,402,422) DS301(429,500,503)
def translate(text: str, language: str) -> str:
    resp = chat_client.chat.completions.create(
        model=CHAT_MODEL,
        messages=[{"role": "user", "content": f"Translate into {language}:\n{text}"}],
    )
    return resp.choices[0].message.content


def run_translation(texts: list, language: str) -> list:
    try:
        return [translate(text, language) for text in texts]
    except openai.APIStatusError as e:
        raise JobFailed(f"translation failed with {e.status_code}") from e


# Nothing retries this call now that the client's own retries are off: one 429 fails the summary.
def summarize(text: str) -> str:
    try:
        resp = batch_client.chat.completions.create(
            model=CHAT_MODEL, messages=[{"role": "user", "content": f"Summarize:\n{text}"}]
        )
    except openai.APIError as e:
        raise JobFailed(f"summary failed: {e}") from e
    return resp.choices[0].message.content


# A fixed two-second pause between attempts, and no limit on them.
def moderate(text: str) -> bool:
    while True:  # expect: DS304
        try:
            resp = batch_client.moderations.create(input=text)
            return resp.results[0].flagged
        except (openai.RateLimitError, openai.InternalServerError):
            log.warning("moderation busy, retrying")
            time.sleep(RETRY_DELAY)  # expect: DS302(429,500,503)
        except openai.APIStatusError as e:
            raise JobFailed(f"moderation failed with {e.status_code}") from e


# An async job that blocks the event loop while it backs off.
async def tag(text: str) -> str:
    for attempt in range(4):
        try:
            resp = await async_client.chat.completions.create(
                model=CHAT_MODEL, messages=[{"role": "user", "content": f"Tags for: {text}"}]
            )
            return resp.choices[0].message.content
        except openai.RateLimitError:
            time.sleep(2 ** attempt)  # expect: DS305
        except openai.APIStatusError as e:
            raise JobFailed(f"tagging failed with {e.status_code}") from e
    raise JobFailed("tagging still rate limited after 4 attempts")


async def tag_all(texts: list) -> list:
    return await asyncio.gather(*(tag(text) for text in texts))


# The balance endpoint over plain HTTP; an error body is read as if it were the balance.
def balance() -> str:
    resp = requests.get(f"{DEEPSEEK_URL}/user/balance", timeout=10,  # expect: DS401
                        headers={"Authorization": f"Bearer {os.environ['DEEPSEEK_API_KEY']}"})
    return resp.json()["balance_infos"][0]["total_balance"]
