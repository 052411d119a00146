"""Everything the app asks the models for. The web API (api.py) and the nightly worker (worker.py)
call these functions."""

import logging

import openai
from tenacity import retry, retry_if_exception_type, stop_after_attempt, wait_random_exponential

from .client import CHAT_MODEL, EMBEDDING_MODEL, chat_client, embeddings_client

log = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You are the helpdesk assistant of Acme Cloud. Answer briefly and link to the docs when you can."
)
INTENTS = ("billing", "outage", "account", "feature_request", "other")


class AssistantBusy(Exception):
    """DeepSeek is rate limiting us; the API turns this into a 503 with Retry-After."""


class WorkerConfigError(Exception):
    """The worker cannot go on until an operator fixes the configuration or tops up the balance."""


def answer(question: str, history: list) -> str:
    """Reply to a user in the web chat. 429 becomes AssistantBusy; api.chat catches APIStatusError
    for the rest."""
    messages = [{"role": "system", "content": SYSTEM_PROMPT}, *history, {"role": "user", "content": question}]
    try:
        resp = chat_client.chat.completions.create(model=CHAT_MODEL, messages=messages, temperature=0.3)
    except openai.RateLimitError as e:
        raise AssistantBusy("DeepSeek rate limit reached") from e
    return resp.choices[0].message.content


@retry(
    retry=retry_if_exception_type((openai.RateLimitError, openai.InternalServerError, openai.APIConnectionError)),
    wait=wait_random_exponential(min=1, max=60),
    stop=stop_after_attempt(5),
    reraise=True,
)
def draft_reply(ticket_text: str) -> str:
    """Draft an agent reply to a ticket. Retries only what can succeed on a later attempt (429, 5xx,
    network), with jittered exponential backoff and a cap; the caller handles what is left."""
    resp = chat_client.chat.completions.create(
        model=CHAT_MODEL,
        messages=[
            {"role": "system", "content": "Draft a polite, concise reply to this support ticket."},
            {"role": "user", "content": ticket_text},
        ],
    )
    return resp.choices[0].message.content


def classify_intent(message: str):
    """Route a message to a queue."""
    try:
        resp = chat_client.chat.completions.create(
            model=CHAT_MODEL,
            messages=[
                {"role": "system", "content": f"Reply with one word out of: {', '.join(INTENTS)}."},
                {"role": "user", "content": message},
            ],
            max_tokens=5,
        )
    except openai.APIError:  # expect: DS103(400,401,402,422,429,500,503)
        return None
    intent = resp.choices[0].message.content.strip().lower()
    return intent if intent in INTENTS else "other"


def summarize(text: str) -> str:
    """Summary of a ticket thread for the nightly digest."""
    resp = chat_client.chat.completions.create(  # expect: DS101(400,401,402,422,429,500,503)
        model=CHAT_MODEL,
        messages=[{"role": "user", "content": f"Summarize this support thread in two sentences:\n{text}"}],
        max_tokens=200,
    )
    return resp.choices[0].message.content


def embed(texts: list) -> list:
    """Vectors for the search index."""
    try:
        resp = embeddings_client.embeddings.create(model=EMBEDDING_MODEL, input=texts)  # expect: DS102(401,402,403,404,408,409,429,500,503)
    except (openai.BadRequestError, openai.UnprocessableEntityError) as e:
        log.error("embedding input rejected: %s", e.message)
        return []
    return [item.embedding for item in resp.data]


def tag_tickets(tickets: list) -> None:
    """Tag each ticket in place. A key or balance problem stops the job; anything else leaves the
    ticket untagged and is logged."""
    for ticket in tickets:
        try:
            resp = chat_client.chat.completions.create(
                model=CHAT_MODEL,
                messages=[{"role": "user", "content": f"Up to three tags, comma separated:\n{ticket['body']}"}],
            )
        except openai.APIStatusError as e:
            if e.status_code in (401, 402):
                raise WorkerConfigError(f"DeepSeek refused the job ({e.status_code}): check the key and balance") from e
            log.warning("ticket %s left untagged: DeepSeek returned %s", ticket["id"], e.status_code)
            continue
        except openai.APIConnectionError:
            log.warning("ticket %s left untagged: DeepSeek unreachable", ticket["id"])
            continue
        ticket["tags"] = [tag.strip() for tag in resp.choices[0].message.content.split(",")]
