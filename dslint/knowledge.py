"""Everything dslint knows about the SDKs, as data.

Supporting a new SDK version, exception class or resource method is an edit to a table here.
Sources: DeepSeek's published error codes and `shared/reference/sdk-facts.md` (openai 1.109–3.57,
openai 0.28.1, anthropic 2.10, litellm 1.110, deepseek 1.0).
"""

from __future__ import annotations

from typing import Dict, FrozenSet, Iterable, Optional, Tuple, Union

Code = Union[int, str]
CONNECTION = "connection"
TIMEOUT = "timeout"

# --- Status codes -----------------------------------------------------------------------------

STATUS_MEANINGS: Dict[int, str] = {
    400: "Invalid Format",
    401: "Authentication Fails",
    402: "Insufficient Balance",
    403: "Permission Denied",
    404: "Not Found",
    408: "Request Timeout",
    409: "Conflict",
    422: "Invalid Parameters",
    429: "Rate Limit Reached",
    500: "Server Error",
    503: "Server Overloaded",
}
ALL_STATUSES: FrozenSet[Code] = frozenset(STATUS_MEANINGS)
TRANSPORT: FrozenSet[Code] = frozenset({CONNECTION, TIMEOUT})
EVERYTHING: FrozenSet[Code] = ALL_STATUSES | TRANSPORT

# Codes that fail the same way on every attempt; retrying them only burns time and money.
NON_RETRYABLE: FrozenSet[Code] = frozenset({400, 401, 402, 403, 404, 422})
SERVER_ERRORS: FrozenSet[Code] = frozenset(c for c in ALL_STATUSES if c >= 500)

PROVIDER_STATUSES: Dict[str, FrozenSet[Code]] = {
    "deepseek": frozenset({400, 401, 402, 422, 429, 500, 503}),
    "openai": frozenset({400, 401, 402, 403, 404, 408, 409, 422, 429, 500, 503}),
}
PROVIDER_STATUSES["auto"] = PROVIDER_STATUSES["deepseek"] | PROVIDER_STATUSES["openai"]
PROVIDERS = tuple(PROVIDER_STATUSES)


def describe_code(code: Code) -> str:
    if code == CONNECTION:
        return "connection errors"
    if code == TIMEOUT:
        return "timeouts"
    return f"{code} {STATUS_MEANINGS[code]}"


def code_sort_key(code: Code) -> Tuple[int, int]:
    return (1, 0 if code == CONNECTION else 1) if isinstance(code, str) else (0, code)


def sorted_codes(codes: Iterable[Code]) -> list:
    return sorted(codes, key=code_sort_key)


def describe_codes(codes: Iterable[Code]) -> str:
    """`402 Insufficient Balance, 429 Rate Limit Reached and connection errors`."""
    parts = [describe_code(c) for c in sorted_codes(codes)]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + " and " + parts[-1]


def status_numbers(codes: Iterable[Code]) -> str:
    """`400/401/402/422`."""
    return "/".join(str(c) for c in sorted_codes(codes) if isinstance(c, int))


# --- Exception classes: which codes each one catches, per SDK family --------------------------
# A family is the exception hierarchy an API call raises into. A caught class is looked up by its
# qualified name in the call's family table, then in GENERIC_EXCEPTIONS; a name in neither covers
# nothing (dslint never guesses).

GENERIC_EXCEPTIONS: Dict[str, FrozenSet[Code]] = {
    "builtins.BaseException": EVERYTHING,
    "builtins.Exception": EVERYTHING,
}

_OPENAI_V1 = {
    "OpenAIError": EVERYTHING,
    "APIError": EVERYTHING,
    "APIStatusError": ALL_STATUSES,
    "BadRequestError": frozenset({400}),
    "AuthenticationError": frozenset({401}),
    "PermissionDeniedError": frozenset({403}),
    "NotFoundError": frozenset({404}),
    "ConflictError": frozenset({409}),
    "UnprocessableEntityError": frozenset({422}),
    "RateLimitError": frozenset({429}),
    "InternalServerError": SERVER_ERRORS,
    "APIConnectionError": TRANSPORT,
    "APITimeoutError": frozenset({TIMEOUT}),
}

# openai 0.x: a flat hierarchy under OpenAIError; APIError is every status without a class of its own.
_OPENAI_LEGACY = {
    "OpenAIError": EVERYTHING,
    "APIError": frozenset({402, 408, 422, 500}),
    "InvalidRequestError": frozenset({400, 404}),
    "AuthenticationError": frozenset({401}),
    "PermissionError": frozenset({403}),
    "TryAgain": frozenset({409}),
    "RateLimitError": frozenset({429}),
    "ServiceUnavailableError": frozenset({503}),
    "Timeout": frozenset({TIMEOUT}),
    "APIConnectionError": frozenset({CONNECTION}),
}

_ANTHROPIC = {
    "AnthropicError": EVERYTHING,
    "APIError": EVERYTHING,
    "APIStatusError": ALL_STATUSES,
    "BadRequestError": frozenset({400}),
    "AuthenticationError": frozenset({401}),
    "PaymentRequiredError": frozenset({402}),
    "PermissionDeniedError": frozenset({403}),
    "NotFoundError": frozenset({404}),
    "RequestTimeoutError": frozenset({408}),
    "ConflictError": frozenset({409}),
    "UnprocessableEntityError": frozenset({422}),
    "RateLimitError": frozenset({429}),
    "InternalServerError": SERVER_ERRORS,
    "ServiceUnavailableError": frozenset({503}),
    "APIConnectionError": TRANSPORT,
    "APITimeoutError": frozenset({TIMEOUT}),
}

# litellm with a `deepseek/` model: its own classes subclass openai's, but map codes differently.
_LITELLM_OWN = {
    "APIError": frozenset({402, 403, 409}),
    "BadRequestError": frozenset({400, 422}),
    "AuthenticationError": frozenset({401}),
    "NotFoundError": frozenset({404}),
    "RateLimitError": frozenset({429}),
    "InternalServerError": frozenset({500}),
    "ServiceUnavailableError": frozenset({503}),
    "Timeout": frozenset({408, TIMEOUT}),
    "APIConnectionError": frozenset({CONNECTION}),
}
_LITELLM_VIA_OPENAI = {
    "OpenAIError": EVERYTHING,
    "APIError": EVERYTHING,
    "APIStatusError": frozenset({400, 401, 404, 422, 429, 500, 503}),
    "BadRequestError": frozenset({400, 422}),
    "AuthenticationError": frozenset({401}),
    "NotFoundError": frozenset({404}),
    "RateLimitError": frozenset({429}),
    "InternalServerError": frozenset({500}),
    "APIConnectionError": frozenset({408}) | TRANSPORT,
    "APITimeoutError": frozenset({408}) | TRANSPORT,
}


def _qualify(prefixes: Iterable[str], table: Dict[str, FrozenSet[Code]]) -> Dict[str, FrozenSet[Code]]:
    return {f"{prefix}.{name}": codes for prefix in prefixes for name, codes in table.items()}


FAMILY_EXCEPTIONS: Dict[str, Dict[str, FrozenSet[Code]]] = {
    "openai": _qualify(("openai", "openai._exceptions"), _OPENAI_V1),
    "openai-legacy": {
        **_qualify(("openai.error",), _OPENAI_LEGACY),
        # 0.x re-exports these three at top level.
        **{f"openai.{n}": _OPENAI_LEGACY[n] for n in ("OpenAIError", "APIError", "InvalidRequestError")},
    },
    "anthropic": _qualify(("anthropic", "anthropic._exceptions"), _ANTHROPIC),
    "litellm": {
        **_qualify(("openai", "openai._exceptions"), _LITELLM_VIA_OPENAI),
        **_qualify(("litellm", "litellm.exceptions"), _LITELLM_OWN),
    },
    # The `deepseek` package raises a bare Exception for every status.
    "deepseek-package": {},
}

# The class a user should catch to see every status code of a family, for messages.
FAMILY_STATUS_CLASS: Dict[str, str] = {
    "openai": "openai.APIStatusError",
    "openai-legacy": "openai.error.OpenAIError",
    "anthropic": "anthropic.APIStatusError",
    "litellm": "openai.APIError",
    "deepseek-package": "Exception",
}

# The classes to retry (429, 5xx, network), for messages and for narrowing fixes.
FAMILY_RETRYABLE_CLASSES: Dict[str, Tuple[str, ...]] = {
    "openai": ("openai.RateLimitError", "openai.InternalServerError", "openai.APIConnectionError"),
    "openai-legacy": ("openai.error.RateLimitError", "openai.error.ServiceUnavailableError",
                      "openai.error.APIConnectionError", "openai.error.Timeout"),
    "anthropic": ("anthropic.RateLimitError", "anthropic.InternalServerError", "anthropic.APIConnectionError"),
    "litellm": ("litellm.RateLimitError", "litellm.InternalServerError", "litellm.ServiceUnavailableError",
                "litellm.APIConnectionError"),
    "deepseek-package": ("Exception (match the status in its message)",),
}

# tenacity turns the last error of what it retries into this class unless reraise=True.
RETRY_ERROR_CLASSES = frozenset({"tenacity.RetryError", "tenacity._utils.RetryError", "retrying.RetryError"})


def exception_coverage(family: str, qualified_name: str) -> FrozenSet[Code]:
    """The codes an `except <qualified_name>` catches for an API call of `family`."""
    table = FAMILY_EXCEPTIONS.get(family, {})
    if qualified_name in table:
        return table[qualified_name]
    if family == "openai-legacy" and qualified_name in FAMILY_EXCEPTIONS["openai"]:
        # Code written against 1.x names around a 0.x call: read the names as 1.x classes.
        return FAMILY_EXCEPTIONS["openai"][qualified_name]
    return GENERIC_EXCEPTIONS.get(qualified_name, frozenset())


def catches_retry_error(qualified_name: str) -> bool:
    return qualified_name in RETRY_ERROR_CLASSES or qualified_name in GENERIC_EXCEPTIONS


# --- Clients and API methods ------------------------------------------------------------------


class ClientKind:
    """A client class: the family of errors its calls raise and the resource methods it has."""

    def __init__(self, family: str, is_async: bool, resources: str, sdk_retries: bool):
        self.family = family
        self.is_async = is_async
        self.resources = resources
        self.sdk_retries = sdk_retries


_OPENAI_SYNC = ClientKind("openai", False, "openai", True)
_OPENAI_ASYNC = ClientKind("openai", True, "openai", True)
CLIENT_CONSTRUCTORS: Dict[str, ClientKind] = {
    **{f"{mod}.{cls}": _OPENAI_SYNC for mod in ("openai", "openai._client", "openai.lib.azure")
       for cls in ("OpenAI", "AzureOpenAI")},
    **{f"{mod}.{cls}": _OPENAI_ASYNC for mod in ("openai", "openai._client", "openai.lib.azure")
       for cls in ("AsyncOpenAI", "AsyncAzureOpenAI")},
    "anthropic.Anthropic": ClientKind("anthropic", False, "anthropic", True),
    "anthropic.AsyncAnthropic": ClientKind("anthropic", True, "anthropic", True),
    "deepseek.DeepSeekAPI": ClientKind("deepseek-package", False, "deepseek-package", False),
}

# Families whose calls are in scope only when the client is pointed at DeepSeek (its
# Anthropic-format endpoint): a string of its construction names DeepSeek.
DEEPSEEK_ONLY_FAMILIES = frozenset({"anthropic"})

# Dotted resource paths under a client; a trailing ".*" takes any method below that prefix.
RESOURCE_METHODS: Dict[str, Tuple[str, ...]] = {
    "openai": (
        "chat.completions.create", "chat.completions.parse", "chat.completions.stream",
        "beta.chat.completions.parse", "beta.chat.completions.stream",
        "completions.create", "responses.create", "responses.parse", "responses.stream",
        "responses.retrieve", "embeddings.create", "moderations.create",
        "images.*", "audio.*", "files.*", "models.*", "batches.*", "fine_tuning.*",
        "vector_stores.*", "uploads.*", "beta.assistants.*", "beta.threads.*",
    ),
    "anthropic": ("messages.create", "messages.stream", "messages.count_tokens", "completions.create"),
    "deepseek-package": ("chat_completion", "fim_completion", "user_balance", "get_models"),
}

# Resource paths distinctive enough to count as an API call when the receiver cannot be resolved.
SHAPE_METHODS: Tuple[str, ...] = (
    "chat.completions.create", "chat.completions.parse", "beta.chat.completions.parse",
    "completions.create", "responses.create", "responses.parse", "embeddings.create",
    "moderations.create", "images.generate", "images.edit", "audio.transcriptions.create",
    "audio.translations.create", "audio.speech.create",
)

# Module-level calls of openai 0.x.
LEGACY_MODULE_CALLS = frozenset(
    f"openai.{res}.{meth}"
    for res in ("ChatCompletion", "Completion", "Embedding", "Edit", "Image", "Moderation")
    for meth in ("create", "acreate")
)

# LiteLLM entry points; they are API calls of interest when the model names a DeepSeek model.
LITELLM_CALLS: Dict[str, bool] = {"litellm.completion": False, "litellm.acompletion": True}
LITELLM_MODEL_PREFIX = "deepseek/"

# Raw HTTP to the API (DS401): the API hosts, and the method names of a request call.
API_HOSTS = ("api.deepseek.com", "api.openai.com")
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "stream"})
# Modules whose functions send a request (`requests.post`), and the session classes that do.
HTTP_MODULES = ("requests", "httpx")
SESSION_CLASSES = frozenset({
    "requests.Session", "requests.session", "requests.sessions.Session", "httpx.Client", "httpx.AsyncClient",
    "aiohttp.ClientSession", "aiohttp.client.ClientSession",
})

# Wrapper accessors that return the same client (or a copy) and keep it an API client.
CLIENT_PASSTHROUGH_METHODS = frozenset({"with_options", "copy"})
CLIENT_PASSTHROUGH_ATTRS = frozenset({"with_raw_response", "with_streaming_response"})

PROVIDER_MARKERS: Tuple[Tuple[str, str], ...] = (("deepseek", "deepseek"), ("api.openai.com", "openai"),
                                                 ("azure", "openai"))


def provider_from_text(text: str) -> Optional[str]:
    lowered = text.lower()
    for marker, provider in PROVIDER_MARKERS:
        if marker in lowered:
            return provider
    return None


def resource_matches(pattern: str, path: str) -> bool:
    if pattern.endswith(".*"):
        return path.startswith(pattern[:-1])
    return path == pattern


def resource_method(resources: str, attribute_path: str) -> Optional[str]:
    """The resource path matched by the tail of `attribute_path`, if it names a method of `resources`.

    `attribute_path` is the dotted chain after the client, e.g. `chat.completions.create`.
    """
    for pattern in RESOURCE_METHODS.get(resources, ()):
        if resource_matches(pattern, attribute_path):
            return attribute_path
    return None


# --- Retry libraries --------------------------------------------------------------------------
# What the retry constructs of tenacity 9.2, backoff 2.2 and stamina 26.1 (sdk-facts §7), and of
# `retry` 0.9.2 and `retrying` 1.4.2 (read from their sources), do with each argument and default.
# Names are qualified as a user imports them: from the package or from the module defining them.


class RetryConstruct:
    """A retry decorator or loop, recognised by the qualified name of its callee."""

    def __init__(self, library: str, positional: Tuple[str, ...] = (), bare: bool = False,
                 retries_exceptions: bool = True):
        self.library = library
        # The parameters that positional arguments bind to, in order.
        self.positional = positional
        # Usable as a bare `@name`, meaning the library's defaults.
        self.bare = bare
        # False: retries on return values only, every exception propagates at once.
        self.retries_exceptions = retries_exceptions


def _under(modules: Iterable[str], table: dict) -> dict:
    return {f"{module}.{name}": value for module in modules for name, value in table.items()}


_TENACITY_PARAMETERS = ("sleep", "stop", "wait", "retry", "before", "after", "before_sleep", "reraise",
                        "retry_error_cls", "retry_error_callback")
_RETRY_PACKAGE_PARAMETERS = ("exceptions", "tries", "delay", "max_delay", "backoff", "jitter", "logger")
_RETRYING_PARAMETERS = (
    "stop", "wait", "stop_max_attempt_number", "stop_max_delay", "wait_fixed", "wait_random_min",
    "wait_random_max", "wait_incrementing_start", "wait_incrementing_increment", "wait_incrementing_max",
    "wait_exponential_multiplier", "wait_exponential_max", "retry_on_exception", "retry_on_result",
    "wrap_exception", "stop_func", "wait_func", "wait_jitter_max",
)

RETRY_CONSTRUCTS: Dict[str, RetryConstruct] = {
    "tenacity.retry": RetryConstruct("tenacity", _TENACITY_PARAMETERS, bare=True),
    **{name: RetryConstruct("tenacity", _TENACITY_PARAMETERS) for name in (
        "tenacity.Retrying", "tenacity.AsyncRetrying", "tenacity.asyncio.AsyncRetrying",
        "tenacity._asyncio.AsyncRetrying", "tenacity.tornadoweb.TornadoRetrying")},
    **{f"{module}.on_exception": RetryConstruct("backoff", ("wait_gen", "exception"))
       for module in ("backoff", "backoff._decorator")},
    **{f"{module}.on_predicate": RetryConstruct("backoff", ("wait_gen", "predicate"), retries_exceptions=False)
       for module in ("backoff", "backoff._decorator")},
    **{f"{module}.retry": RetryConstruct("stamina") for module in ("stamina", "stamina._core")},
    **{f"{module}.retry_context": RetryConstruct("stamina", ("on",)) for module in ("stamina", "stamina._core")},
    # `@retry` of the retry package needs a call: a bare `@retry` takes the function as `exceptions`.
    **{f"{module}.retry": RetryConstruct("retry", _RETRY_PACKAGE_PARAMETERS) for module in ("retry", "retry.api")},
    "retry.api.retry_call": RetryConstruct("retry", ("f", "fargs", "fkwargs") + _RETRY_PACKAGE_PARAMETERS),
    "retrying.retry": RetryConstruct("retrying", _RETRYING_PARAMETERS, bare=True),
    "retrying.Retrying": RetryConstruct("retrying", _RETRYING_PARAMETERS),
}

# What is retried when nothing says: tenacity, retry and retrying retry every Exception
# (backoff and stamina require the exception argument).
RETRY_DEFAULT_EXCEPTION = "builtins.Exception"

# Argument defaults that decide what a construct does when the argument is left out.
# tenacity: stop=stop_never, wait=wait_none(), retry=retry_if_exception_type(Exception), reraise=False.
# backoff: no max_tries/max_time (retries forever), jitter=full_jitter, giveup never.
# retrying: no stop (forever), no wait, every exception retried, original error re-raised.
RETRY_PARAMETER_DEFAULTS: Dict[str, Dict[str, object]] = {
    "tenacity": {"reraise": False},
    "backoff": {"max_tries": None, "max_time": None, "jitter": "backoff.full_jitter"},
    "stamina": {"attempts": 10, "timeout": 45.0, "wait_initial": 0.1, "wait_max": 5.0, "wait_jitter": 1.0,
                "wait_exp_base": 2},
    "retry": {"tries": -1, "delay": 0, "max_delay": None, "backoff": 1, "jitter": 0},
    "retrying": {"wrap_exception": False},
}

# Libraries that can replace the last error with a wrapper: (parameter, value that wraps, wrapper class).
# backoff, stamina and retry always re-raise the original error.
RETRY_ERROR_WRAPPING: Dict[str, Tuple[str, object, str]] = {
    "tenacity": ("reraise", False, "tenacity.RetryError"),
    "retrying": ("wrap_exception", True, "retrying.RetryError"),
}

# Wait strategies → (kind, jitter). Kinds: "none", "constant", "random" (bounded, does not grow),
# "linear", "exponential", "server" (the delay is read from the error or result, e.g. Retry-After),
# and two combinators: "sum" (waits added up) and "chain" (one strategy per attempt, the last repeats).
WAIT_STRATEGIES: Dict[str, Tuple[str, bool]] = {
    **_under(("tenacity", "tenacity.wait"), {
        "wait_none": ("constant", False),  # SPEC DS302: an explicit wait_none() is a constant (zero) wait
        "wait_fixed": ("constant", False),
        "wait_random": ("random", True),
        "wait_incrementing": ("linear", False),
        "wait_exponential": ("exponential", False),
        "wait_random_exponential": ("exponential", True),
        "wait_full_jitter": ("exponential", True),
        "wait_exponential_jitter": ("exponential", True),
        "wait_exception": ("server", False),
        "wait_combine": ("sum", False),
        "wait_chain": ("chain", False),
    }),
    # backoff's wait generators; the construct's `jitter=` (full_jitter unless None) randomises them.
    **_under(("backoff", "backoff._wait_gen"), {
        "expo": ("exponential", False),
        "fibo": ("exponential", False),  # Fibonacci growth
        "constant": ("constant", False),
        "runtime": ("server", False),
    }),
}

# retrying configures its wait by parameters; several set → the longest wait, plus wait_jitter_max.
RETRYING_WAIT_PARAMETERS: Dict[str, Tuple[str, bool]] = {
    "wait_fixed": ("constant", False),
    "wait_random_min": ("random", True),
    "wait_random_max": ("random", True),
    "wait_incrementing_start": ("linear", False),
    "wait_incrementing_increment": ("linear", False),
    "wait_exponential_multiplier": ("exponential", False),
    "wait_exponential_max": ("exponential", False),
    "wait_jitter_max": ("random", True),
}
# ... or by naming one of its methods: `wait="exponential_sleep"`.
RETRYING_WAIT_METHODS: Dict[str, Tuple[str, bool]] = {
    "no_sleep": ("none", False),
    "fixed_sleep": ("constant", False),
    "random_sleep": ("random", True),
    "incrementing_sleep": ("linear", False),
    "exponential_sleep": ("exponential", False),
}

# Stop conditions → "bounded", "never", "unknown" (depends on something dslint cannot see),
# or the combinators "any" (`|`, stop_any) and "all" (`&`, stop_all).
STOP_CONDITIONS: Dict[str, str] = _under(("tenacity", "tenacity.stop"), {
    "stop_after_attempt": "bounded",
    "stop_after_delay": "bounded",
    "stop_before_delay": "bounded",
    "stop_never": "never",
    "stop_when_event_set": "unknown",
    "stop_any": "any",
    "stop_all": "all",
})
# retrying stops once any of these parameters is set, or with `stop="stop_after_attempt"` (default 5
# attempts) / `stop="stop_after_delay"` (default 100 ms); `stop_func=` is opaque.
RETRYING_STOP_PARAMETERS: Tuple[str, ...] = ("stop_max_attempt_number", "stop_max_delay")
RETRYING_STOP_METHODS: FrozenSet[str] = frozenset({"stop_after_attempt", "stop_after_delay"})

# tenacity retry predicates → shape: "exception-type" (retries instances of its argument, default
# Exception), "not-exception-type" (retries every exception but those), "predicate" (retries when
# a function of the exception is true), "result" (return values only), "always", "never",
# "any"/"all" (`|`/`&` of predicates), "cause-type" (tests the __cause__ chain, not the raised
# error) and "message" (tests the error text): dslint reads neither of the last two.
RETRY_PREDICATES: Dict[str, str] = {
    **_under(("tenacity", "tenacity.retry"), {
        "retry_if_exception_type": "exception-type",
        "retry_if_not_exception_type": "not-exception-type",
        # Also retries every success until one of the types is raised.
        "retry_unless_exception_type": "not-exception-type",
        "retry_if_exception": "predicate",
        "retry_if_exception_cause_type": "cause-type",
        "retry_if_exception_message": "message",
        "retry_if_not_exception_message": "message",
        "retry_if_result": "result",
        "retry_if_not_result": "result",
        "retry_always": "always",
        "retry_never": "never",
        "retry_any": "any",
        "retry_all": "all",
    }),
    **_under(("tenacity.asyncio", "tenacity.asyncio.retry"), {
        "retry_if_exception": "predicate",
        "retry_if_result": "result",
        "retry_any": "any",
        "retry_all": "all",
    }),
}
