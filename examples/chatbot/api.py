"""Web API of the helpdesk chatbot."""

import logging

import openai
from fastapi import FastAPI, HTTPException
from pydantic import BaseModel

from .service import AssistantBusy, answer, classify_intent, draft_reply

log = logging.getLogger(__name__)
app = FastAPI(title="Acme helpdesk assistant")


class ChatRequest(BaseModel):
    question: str
    history: list = []


class Ticket(BaseModel):
    id: int
    body: str


@app.post("/chat")
def chat(req: ChatRequest):
    try:
        reply = answer(req.question, req.history)
    except AssistantBusy:
        raise HTTPException(status_code=503, detail="The assistant is busy, try again shortly.", headers={"Retry-After": "30"})
    except openai.APIStatusError as e:
        log.error("DeepSeek error %s (request id %s)", e.status_code, e.request_id)
        if e.status_code == 402:
            log.critical("DeepSeek balance exhausted: top up the account")
        raise HTTPException(status_code=502, detail="The assistant is unavailable.") from e
    return {"reply": reply}


@app.post("/route")
def route(req: ChatRequest):
    return {"queue": classify_intent(req.question) or "other"}


@app.post("/tickets/draft")
def draft(ticket: Ticket):
    try:
        return {"draft": draft_reply(ticket.body)}
    except openai.APIStatusError as e:
        log.error("no draft for ticket %s: DeepSeek returned %s", ticket.id, e.status_code)
        raise HTTPException(status_code=502, detail="Could not draft a reply.") from e
