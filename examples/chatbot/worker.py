"""Nightly batch job: summarize yesterday's tickets, tag them, and index them for search.

Run with `python -m chatbot.worker`.
"""

import logging

from helpdesk.store import load_tickets, save_digest, save_vectors

from .service import WorkerConfigError, embed, summarize, tag_tickets

log = logging.getLogger(__name__)


def build_digest(tickets: list) -> list:
    return [{"id": ticket["id"], "summary": summarize(ticket["body"])} for ticket in tickets]


def index_tickets(tickets: list) -> None:
    vectors = embed([ticket["body"] for ticket in tickets])
    save_vectors({ticket["id"]: vector for ticket, vector in zip(tickets, vectors)})


def main() -> int:
    tickets = load_tickets(since="yesterday")
    try:
        tag_tickets(tickets)
    except WorkerConfigError:
        log.critical("tagging stopped; fix the DeepSeek key or balance and re-run")
        return 1
    save_digest(build_digest(tickets))
    index_tickets(tickets)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
