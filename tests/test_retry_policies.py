"""Reading retry-library constructs (tenacity, backoff, stamina, retry, retrying) into RetryPolicy."""

import textwrap

import libcst as cst
import pytest
from libcst.metadata import MetadataWrapper

from dslint.analysis.resolver import Resolver
from dslint.analysis.retry_policies import RetryPolicy, retry_policy
from dslint.knowledge import ALL_STATUSES, CONNECTION, EVERYTHING, TIMEOUT

OPENAI = "from openai import APIConnectionError, APIStatusError, AuthenticationError, RateLimitError, InternalServerError\n"


class _Targets(cst.CSTVisitor):
    """The first decorator in the module, else the value assigned to `target` or iterated by a `for`."""

    def __init__(self):
        self.decorators = []
        self.calls = []

    def visit_Decorator(self, node):
        self.decorators.append(node)

    def visit_Assign(self, node):
        if isinstance(node.targets[0].target, cst.Name) and node.targets[0].target.value == "target":
            self.calls.append(node.value)

    def visit_For(self, node):
        self.calls.append(node.iter)


def parse(src, module="mod"):
    wrapper = MetadataWrapper(cst.parse_module(textwrap.dedent(src)))
    resolver = Resolver(wrapper, module)
    targets = _Targets()
    wrapper.module.visit(targets)
    target = targets.decorators[0] if targets.decorators else targets.calls[0]
    return target, resolver


def policy(src, config=None) -> RetryPolicy:
    target, resolver = parse(src)
    return retry_policy(target, resolver, config or {})


def code(node):
    return cst.Module([]).code_for_node(node)


def decorated(imports, decorator):
    return f"{imports}\n@{decorator}\ndef ask(client):\n    return client.chat.completions.create(model='m', messages=[])\n"


# --- tenacity ---------------------------------------------------------------------------------


def test_bare_tenacity_retry_retries_everything_forever_without_waiting():
    p = policy(decorated("from tenacity import retry", "retry"))
    assert p.library == "tenacity"
    assert code(p.node) == "retry"
    assert p.retried_classes == ("builtins.Exception",)
    assert p.excluded_classes == () and not p.retry_unknown
    assert p.wait.kind == "absent" and p.wait.node is None and not p.wait.jitter
    assert p.bounded is False and p.stop_node is None
    assert p.reraise is False and p.retry_error_class == "tenacity.RetryError"
    assert p.exceptions_node is None
    assert p.retried_codes("openai") == EVERYTHING


def test_tenacity_retry_called_without_arguments_has_the_same_defaults():
    p = policy(decorated("import tenacity", "tenacity.retry()"))
    assert (p.library, p.retried_classes, p.wait.kind, p.bounded, p.reraise) == (
        "tenacity", ("builtins.Exception",), "absent", False, False)


def test_tenacity_fully_configured():
    p = policy(decorated(
        OPENAI + "from tenacity import retry, stop_after_attempt, wait_random_exponential, retry_if_exception_type",
        "retry(stop=stop_after_attempt(5), wait=wait_random_exponential(min=1, max=60),\n"
        "       retry=retry_if_exception_type((RateLimitError, APIConnectionError)), reraise=True)"))
    assert p.retried_classes == ("openai.APIConnectionError", "openai.RateLimitError")
    assert p.wait.kind == "exponential" and p.wait.jitter
    assert code(p.wait.node) == "wait_random_exponential(min=1, max=60)"
    assert p.bounded is True and code(p.stop_node) == "stop_after_attempt(5)"
    assert p.reraise is True and p.retry_error_class is None
    assert code(p.exceptions_node) == "(RateLimitError, APIConnectionError)"
    assert p.retried_codes("openai") == frozenset({429, CONNECTION, TIMEOUT})


def test_import_alias_of_tenacity_retry():
    p = policy(decorated("from tenacity import retry as r, stop_after_attempt as after",
                         "r(stop=after(3))"))
    assert p.library == "tenacity" and p.bounded is True


def test_module_alias_and_submodule_imports():
    p = policy(decorated("import tenacity as t\nfrom tenacity.wait import wait_fixed\n"
                         "from tenacity.stop import stop_after_delay",
                         "t.retry(wait=wait_fixed(2), stop=stop_after_delay(30))"))
    assert p.wait.kind == "constant" and not p.wait.jitter
    assert p.bounded is True


def test_passing_the_decorator_expression_or_the_decorator_node_is_the_same():
    target, resolver = parse(decorated("from tenacity import retry", "retry(reraise=True)"))
    from_node = retry_policy(target, resolver)
    from_expression = retry_policy(target.decorator, resolver)
    assert from_node == from_expression
    assert from_node.node is target.decorator


@pytest.mark.parametrize("wait, kind, jitter", [
    ("wait_exponential(multiplier=1, max=10)", "exponential", False),
    ("wait_exponential_jitter(initial=1, max=30)", "exponential", True),
    ("wait_full_jitter(max=30)", "exponential", True),
    ("wait_fixed(3)", "constant", False),
    ("wait_none()", "constant", False),
    ("None", "none", False),
    ("0", "none", False),
    ("wait_random(0, 2)", "random", True),
    ("wait_incrementing(start=1, increment=2)", "linear", False),
    ("wait_exception(lambda e: float(e.response.headers['retry-after']))", "server", False),
    ("wait_fixed(1) + wait_random(0, 2)", "random", True),
    ("wait_exponential() + wait_random(0, 1)", "exponential", True),
    ("wait_fixed(1) + my_wait", "unknown", False),
    ("wait_combine(wait_fixed(2), wait_incrementing(1, 1))", "linear", False),
    ("wait_chain(wait_fixed(1), wait_fixed(2), wait_fixed(5))", "linear", False),
    ("wait_chain(wait_fixed(3), wait_fixed(3))", "constant", False),
    ("wait_chain(wait_fixed(1), wait_exponential())", "exponential", False),
    ("my_wait", "unknown", False),
])
def test_tenacity_wait_kinds(wait, kind, jitter):
    p = policy(decorated("from tenacity import retry, wait_exponential, "
                         "wait_exponential_jitter, wait_full_jitter, wait_fixed, wait_none, wait_random, "
                         "wait_incrementing, wait_exception, wait_combine, wait_chain\nfrom mylib import my_wait",
                         f"retry(wait={wait})"))
    assert (p.wait.kind, p.wait.jitter) == (kind, jitter)
    assert code(p.wait.node) == wait


def test_wait_bound_to_a_module_constant_is_followed():
    p = policy(decorated("from tenacity import retry, wait_random_exponential\nWAIT = wait_random_exponential(max=30)",
                         "retry(wait=WAIT)"))
    assert (p.wait.kind, p.wait.jitter) == ("exponential", True)
    assert code(p.wait.node) == "WAIT"


@pytest.mark.parametrize("stop, bounded", [
    ("stop_after_attempt(5) | stop_after_delay(60)", True),
    ("stop_after_attempt(5) & stop_after_delay(60)", True),
    ("stop_after_attempt(5) & stop_never", False),
    ("stop_after_attempt(5) | stop_never", True),
    ("stop_never", False),
    ("stop_when_event_set(EVENT)", None),
    ("stop_when_event_set(EVENT) | stop_after_attempt(3)", True),
    ("stop_when_event_set(EVENT) & stop_after_attempt(3)", None),
    ("stop_any(stop_never, stop_before_delay(10))", True),
    ("stop_all(stop_after_attempt(2), stop_when_event_set(EVENT))", None),
    ("my_stop", None),
])
def test_tenacity_stop_combinations(stop, bounded):
    p = policy(decorated("import threading\nfrom tenacity import retry, stop_after_attempt, stop_after_delay, "
                         "stop_before_delay, stop_never, stop_when_event_set, stop_any, stop_all\n"
                         "EVENT = threading.Event()\ndef my_stop(state): return False",
                         f"retry(stop={stop})"))
    assert p.bounded is bounded
    assert code(p.stop_node) == stop


TENACITY_RETRY_IMPORTS = OPENAI + (
    "from tenacity import retry, retry_if_exception_type, retry_if_not_exception_type, retry_if_exception, "
    "retry_if_result, retry_always, retry_never, retry_if_exception_message, retry_any, retry_all, "
    "retry_unless_exception_type, retry_if_exception_cause_type\n"
    "from openai import BadRequestError\n"
    "from mylib import is_retryable\n"
    "RETRYABLE = (RateLimitError, APIConnectionError)\n"
    "def should_retry(exc):\n"
    "    '''429 and overload only.'''\n"
    "    return exc.status_code in (429, 503)\n"
    "def decide(exc):\n"
    "    if isinstance(exc, RateLimitError):\n"
    "        return True\n"
    "    return False\n"
)


def tenacity_retry(argument):
    return policy(decorated(TENACITY_RETRY_IMPORTS, f"retry(retry={argument})"))


def test_union_of_exception_types():
    p = tenacity_retry("retry_if_exception_type(RateLimitError) | retry_if_exception_type(InternalServerError)")
    assert p.retried_classes == ("openai.InternalServerError", "openai.RateLimitError")
    assert p.exceptions_node is None
    assert p.retried_codes("openai") == frozenset({429, 500, 503})


def test_retry_any_is_a_union_too():
    p = tenacity_retry("retry_any(retry_if_exception_type(RateLimitError), retry_if_result(lambda r: r is None))")
    assert p.retried_classes == ("openai.RateLimitError",)
    assert p.retried_codes("openai") == frozenset({429})


def test_not_exception_type_excludes_classes():
    p = tenacity_retry("retry_if_not_exception_type((BadRequestError, AuthenticationError))")
    assert p.retried_classes == ("builtins.Exception",)
    assert p.excluded_classes == ("openai.AuthenticationError", "openai.BadRequestError")
    assert p.retried_codes("openai") == EVERYTHING - {400, 401}


def test_unless_exception_type_retries_all_but_those():
    p = tenacity_retry("retry_unless_exception_type(AuthenticationError)")
    assert p.excluded_classes == ("openai.AuthenticationError",)
    assert 401 not in p.retried_codes("openai") and 402 in p.retried_codes("openai")


def test_predicate_lambda_with_isinstance_and_status_test():
    p = tenacity_retry("retry_if_exception(lambda e: isinstance(e, APIStatusError) and e.status_code in (429, 500, 503))")
    assert p.retried_classes == ("openai.APIStatusError",)
    assert p.only_codes == frozenset({429, 500, 503})
    assert p.retried_codes("openai") == frozenset({429, 500, 503})
    assert p.exceptions_node is None


def test_predicate_lambda_on_status_only_narrows_to_those_codes():
    p = tenacity_retry("retry_if_exception(lambda e: e.status_code == 429)")
    assert p.retried_classes == ("builtins.Exception",)
    assert p.only_codes == frozenset({429})
    assert p.retried_codes("openai") == frozenset({429})


def test_negated_isinstance_excludes_classes():
    p = tenacity_retry("retry_if_exception(lambda e: not isinstance(e, (BadRequestError, AuthenticationError)))")
    assert p.retried_classes == ("builtins.Exception",)
    assert p.excluded_classes == ("openai.AuthenticationError", "openai.BadRequestError")
    assert p.retried_codes("openai") == EVERYTHING - {400, 401}


def test_presence_test_keeps_only_errors_with_a_status():
    p = tenacity_retry("retry_if_exception(lambda e: hasattr(e, 'status_code') and e.status_code >= 500)")
    assert p.retried_codes("openai") == frozenset({500, 503})
    p = tenacity_retry("retry_if_exception(lambda e: getattr(e, 'status_code', None) is None)")
    assert p.retried_codes("openai") == frozenset({CONNECTION, TIMEOUT})


def test_status_codes_bound_to_constants_are_followed():
    src = ("from tenacity import retry, retry_if_exception\nRETRY_STATUS = {429, 503}\nFATAL = (400, 401)\n"
           "@retry(retry=retry_if_exception(lambda e: e.status_code in RETRY_STATUS or not e.status_code in FATAL))\n"
           "def ask(): ...\n")
    assert policy(src).retried_codes("openai") == EVERYTHING - {400, 401}
    src = src.replace(" or not e.status_code in FATAL", "")
    assert policy(src).retried_codes("openai") == frozenset({429, 503})


def test_predicate_def_with_docstring_and_one_return():
    p = tenacity_retry("retry_if_exception(should_retry)")
    assert not p.retry_unknown
    assert p.retried_codes("openai") == frozenset({429, 503})


def test_predicate_with_ifs_is_not_read():
    p = tenacity_retry("retry_if_exception(decide)")
    assert p.retry_unknown and p.retried_classes == ()
    assert p.retried_codes("openai") is None


def test_imported_predicate_is_unknown():
    p = tenacity_retry("retry_if_exception(is_retryable)")
    assert p.retry_unknown and p.retried_codes("openai") is None
    # Waits and stops are still read.
    assert p.wait.kind == "absent" and p.bounded is False


def test_message_predicates_are_unknown():
    assert tenacity_retry("retry_if_exception_message(match='rate limit')").retry_unknown
    assert tenacity_retry("retry_if_exception_cause_type(RateLimitError)").retry_unknown


def test_result_predicates_retry_no_exception():
    p = tenacity_retry("retry_if_result(lambda r: r is None)")
    assert p.retried_classes == () and not p.retry_unknown
    assert p.retried_codes("openai") == frozenset()


def test_retry_always_and_never():
    assert tenacity_retry("retry_always").retried_codes("openai") == EVERYTHING
    assert tenacity_retry("retry_never").retried_codes("openai") == frozenset()


def test_intersection_of_type_and_status_predicate():
    p = tenacity_retry("retry_if_exception_type(APIStatusError) & retry_if_exception(lambda e: e.status_code >= 500)")
    assert p.retried_classes == ("openai.APIStatusError",)
    assert p.retried_codes("openai") == frozenset({500, 503})


def test_union_of_different_shapes_is_unknown_rather_than_guessed():
    p = tenacity_retry("retry_if_exception_type(RateLimitError) | "
                       "retry_if_exception(lambda e: isinstance(e, APIStatusError) and e.status_code >= 500)")
    assert p.retry_unknown


def test_retried_classes_bound_to_a_constant():
    p = tenacity_retry("retry_if_exception_type(RETRYABLE)")
    assert p.retried_classes == ("openai.APIConnectionError", "openai.RateLimitError")
    assert code(p.exceptions_node) == "RETRYABLE"


def test_retrying_loop_call():
    p = policy("from tenacity import Retrying, stop_after_attempt, wait_exponential\n"
               "def ask(client):\n"
               "    for attempt in Retrying(stop=stop_after_attempt(3), wait=wait_exponential()):\n"
               "        with attempt:\n"
               "            return client.chat.completions.create(model='m', messages=[])\n")
    assert p.library == "tenacity"
    assert code(p.node).startswith("Retrying(")
    assert p.bounded is True and (p.wait.kind, p.wait.jitter) == ("exponential", False)


def test_async_retrying_from_the_asyncio_module():
    p = policy("from tenacity.asyncio import AsyncRetrying\ntarget = AsyncRetrying(reraise=True)\n")
    assert p.library == "tenacity" and p.reraise is True and p.bounded is False


def test_keyword_splat_hides_the_configuration():
    p = policy(decorated("from tenacity import retry\nOPTIONS = {}", "retry(**OPTIONS)"))
    assert p.library == "tenacity"
    assert p.retry_unknown and p.bounded is None and p.wait.kind == "unknown"


# --- backoff ----------------------------------------------------------------------------------


def test_backoff_on_exception_with_max_tries():
    p = policy(decorated("import backoff, openai", "backoff.on_exception(backoff.expo, openai.RateLimitError, max_tries=5)"))
    assert p.library == "backoff"
    assert p.retried_classes == ("openai.RateLimitError",)
    assert (p.wait.kind, p.wait.jitter) == ("exponential", True)  # full_jitter by default
    assert code(p.wait.node) == "backoff.expo"
    assert p.bounded is True and code(p.stop_node) == "5"
    assert p.reraise is True and p.retry_error_class is None
    assert code(p.exceptions_node) == "openai.RateLimitError"


def test_backoff_without_max_tries_or_max_time_is_unbounded():
    p = policy(decorated("import backoff", "backoff.on_exception(backoff.expo, Exception)"))
    assert p.bounded is False and p.stop_node is None
    assert p.retried_codes("openai") == EVERYTHING


@pytest.mark.parametrize("cap, bounded", [
    ("max_time=60", True),
    ("max_tries=None", False),
    ("max_tries=MAX_TRIES", True),
    ("max_tries=settings.retries", None),
])
def test_backoff_caps(cap, bounded):
    p = policy(decorated("import backoff\nfrom app import settings\nMAX_TRIES = 4",
                         f"backoff.on_exception(backoff.expo, Exception, {cap})"))
    assert p.bounded is bounded


@pytest.mark.parametrize("arguments, kind, jitter", [
    ("backoff.expo, Exception, jitter=None", "exponential", False),
    ("backoff.expo, Exception, jitter=backoff.random_jitter", "exponential", True),
    ("backoff.constant, Exception, interval=2", "random", True),
    ("backoff.constant, Exception, interval=2, jitter=None", "constant", False),
    ("backoff.fibo, Exception, max_value=30", "exponential", True),
    ("backoff.runtime, Exception, value=lambda e: e.response.headers['Retry-After'], jitter=None", "server", False),
    ("my_generator, Exception", "unknown", True),
])
def test_backoff_waits(arguments, kind, jitter):
    p = policy(decorated("import backoff\nfrom mylib import my_generator", f"backoff.on_exception({arguments})"))
    assert (p.wait.kind, p.wait.jitter) == (kind, jitter)


def test_backoff_imported_names():
    p = policy(decorated("from backoff import on_exception, expo\nfrom openai import RateLimitError",
                         "on_exception(expo, RateLimitError, max_time=30)"))
    assert p.library == "backoff" and p.wait.kind == "exponential" and p.bounded is True


def test_backoff_giveup_on_status_codes():
    p = policy(decorated("import backoff, openai",
                         "backoff.on_exception(backoff.expo, openai.APIStatusError, max_tries=4,\n"
                         "                     giveup=lambda e: e.status_code in (400, 401, 402, 422))"))
    assert p.giveup_codes == frozenset({400, 401, 402, 422}) and p.giveup_classes == ()
    assert p.retried_codes("openai") == frozenset({403, 404, 408, 409, 429, 500, 503})


def test_backoff_giveup_def_on_the_response_status():
    p = policy(decorated("import backoff, requests\n"
                         "def fatal_code(e):\n    return 400 <= e.response.status_code < 500\n",
                         "backoff.on_exception(backoff.expo, Exception, max_time=300, giveup=fatal_code)"))
    assert p.giveup_codes == frozenset(c for c in ALL_STATUSES if 400 <= c < 500)
    assert p.retried_codes("openai") == frozenset({500, 503, CONNECTION, TIMEOUT})


def test_backoff_giveup_guarded_by_response_presence():
    p = policy(decorated("import backoff",
                         "backoff.on_exception(backoff.expo, Exception, max_tries=3,\n"
                         "                     giveup=lambda e: e.response is not None and e.response.status_code < 429)"))
    assert p.giveup_codes == frozenset({400, 401, 402, 403, 404, 408, 409, 422})


def test_backoff_giveup_on_a_class_excludes_it():
    p = policy(decorated(OPENAI + "import backoff",
                         "backoff.on_exception(backoff.expo, Exception, max_tries=3,\n"
                         "                     giveup=lambda e: isinstance(e, AuthenticationError))"))
    assert p.excluded_classes == ("openai.AuthenticationError",)
    assert p.giveup_codes == frozenset()
    assert p.retried_codes("openai") == EVERYTHING - {401}


def test_backoff_giveup_on_class_and_status_depends_on_the_family():
    p = policy(decorated(OPENAI + "import backoff",
                         "backoff.on_exception(backoff.expo, Exception, max_tries=3,\n"
                         "                     giveup=lambda e: isinstance(e, APIStatusError) and e.status_code < 500)"))
    assert p.giveup_classes == ("openai.APIStatusError",)
    assert 402 not in p.retried_codes("openai")
    # litellm raises 402 as litellm.APIError, which is no openai.APIStatusError: still retried.
    assert 402 in p.retried_codes("litellm") and 400 not in p.retried_codes("litellm")


def test_backoff_unreadable_giveup_makes_the_retried_set_unknown():
    p = policy(decorated("import backoff\nfrom mylib import is_fatal",
                         "backoff.on_exception(backoff.expo, Exception, max_tries=3, giveup=is_fatal)"))
    assert p.retry_unknown and p.retried_codes("openai") is None


def test_backoff_on_predicate_retries_no_exception():
    p = policy(decorated("import backoff", "backoff.on_predicate(backoff.fibo, lambda r: r is None, max_time=30)"))
    assert p.library == "backoff"
    assert p.retried_classes == () and p.retried_codes("openai") == frozenset()
    assert p.bounded is True and p.wait.kind == "exponential"


# --- stamina ----------------------------------------------------------------------------------


def test_stamina_retry_with_attempts():
    p = policy(decorated("import stamina, openai", "stamina.retry(on=openai.RateLimitError, attempts=3)"))
    assert p.library == "stamina"
    assert p.retried_classes == ("openai.RateLimitError",)
    assert (p.wait.kind, p.wait.jitter) == ("exponential", True) and p.wait.node is None
    assert p.bounded is True and code(p.stop_node) == "3"
    assert p.reraise is True
    assert code(p.exceptions_node) == "openai.RateLimitError"


def test_stamina_defaults_are_bounded():
    p = policy(decorated("import stamina", "stamina.retry(on=Exception)"))
    assert p.bounded is True and p.stop_node is None


def test_stamina_without_attempts_and_timeout_is_unbounded():
    p = policy(decorated("import stamina", "stamina.retry(on=Exception, attempts=None, timeout=None)"))
    assert p.bounded is False


def test_stamina_exponent_base_one_does_not_grow():
    jittered = policy(decorated("import stamina", "stamina.retry(on=Exception, wait_exp_base=1)"))
    assert (jittered.wait.kind, jittered.wait.jitter) == ("random", True)
    assert code(jittered.wait.node) == "1"
    fixed = policy(decorated("import stamina", "stamina.retry(on=Exception, wait_exp_base=1, wait_jitter=0)"))
    assert (fixed.wait.kind, fixed.wait.jitter) == ("constant", False)


def test_stamina_predicate_and_unreadable_predicate():
    read = policy(decorated("import stamina", "stamina.retry(on=lambda e: e.status_code == 429, attempts=3)"))
    assert read.retried_codes("openai") == frozenset({429}) and read.exceptions_node is None
    unread = policy(decorated("import stamina\nfrom mylib import is_retryable", "stamina.retry(on=is_retryable)"))
    assert unread.retry_unknown


def test_stamina_retry_context_loop():
    p = policy(OPENAI + "import stamina\n"
               "def ask(client):\n"
               "    for attempt in stamina.retry_context(on=(RateLimitError, InternalServerError), attempts=5):\n"
               "        with attempt:\n"
               "            return client.chat.completions.create(model='m', messages=[])\n")
    assert p.library == "stamina"
    assert p.retried_codes("openai") == frozenset({429, 500, 503})
    assert p.bounded is True


def test_bare_stamina_retry_is_no_retry():
    assert policy(decorated("import stamina", "stamina.retry")) is None


# --- retry (the `retry` package) --------------------------------------------------------------


def test_retry_package_with_exponential_backoff():
    p = policy(decorated("from retry import retry", "retry(Exception, tries=3, delay=1, backoff=2)"))
    assert p.library == "retry"
    assert p.retried_classes == ("builtins.Exception",) and code(p.exceptions_node) == "Exception"
    assert p.bounded is True and code(p.stop_node) == "3"
    assert (p.wait.kind, p.wait.jitter) == ("exponential", False) and code(p.wait.node) == "1"
    assert p.reraise is True


def test_retry_package_defaults_are_unbounded_without_wait():
    p = policy(decorated("from retry import retry", "retry()"))
    assert p.bounded is False and p.wait.kind == "absent"
    assert p.retried_classes == ("builtins.Exception",) and p.exceptions_node is None


@pytest.mark.parametrize("arguments, kind, jitter", [
    ("delay=2", "constant", False),
    ("delay=0", "none", False),
    ("delay=1, backoff=1", "constant", False),
    ("delay=1, jitter=1", "linear", False),
    ("delay=1, jitter=(0, 1)", "linear", True),
    ("delay=1, backoff=2, jitter=(0, 1)", "exponential", True),
    ("delay=DELAY", "unknown", False),
])
def test_retry_package_waits(arguments, kind, jitter):
    p = policy(decorated("from retry import retry\nfrom app import DELAY", f"retry(RuntimeError, tries=3, {arguments})"))
    assert (p.wait.kind, p.wait.jitter) == (kind, jitter)


def test_retry_package_explicit_infinite_tries():
    p = policy(decorated("from retry.api import retry", "retry(tries=-1, delay=1, backoff=2)"))
    assert p.bounded is False and code(p.stop_node) == "-1"


def test_retry_call():
    p = policy(OPENAI + "from retry.api import retry_call\n"
               "target = retry_call(ask, fargs=[1], exceptions=(RateLimitError,), tries=4, delay=1, backoff=2)\n")
    assert p.library == "retry"
    assert p.retried_classes == ("openai.RateLimitError",)
    assert p.bounded is True and p.wait.kind == "exponential"


def test_bare_retry_package_decorator_is_no_retry():
    # `@retry` without a call passes the function as `exceptions`: it never retries it.
    assert policy(decorated("from retry import retry", "retry")) is None


# --- retrying ---------------------------------------------------------------------------------


def test_retrying_with_attempts_and_exponential_wait():
    p = policy(decorated("import retrying", "retrying.retry(stop_max_attempt_number=3, wait_exponential_multiplier=1000,"
                                            " wait_exponential_max=10000)"))
    assert p.library == "retrying"
    assert p.retried_classes == ("builtins.Exception",)
    assert p.bounded is True and code(p.stop_node) == "3"
    assert (p.wait.kind, p.wait.jitter) == ("exponential", False) and code(p.wait.node) == "1000"
    assert p.reraise is True


def test_bare_retrying_retries_everything_forever():
    p = policy(decorated("from retrying import retry", "retry"))
    assert p.library == "retrying" and p.bounded is False and p.wait.kind == "absent"
    assert p.retried_codes("openai") == EVERYTHING


@pytest.mark.parametrize("arguments, kind, jitter, bounded", [
    ("wait_fixed=2000", "constant", False, False),
    ("wait_random_min=1000, wait_random_max=2000", "random", True, False),
    ("wait_fixed=2000, wait_jitter_max=500", "random", True, False),
    ("wait_incrementing_increment=500, stop_max_delay=30000", "linear", False, True),
    ("wait='exponential_sleep', stop='stop_after_attempt'", "exponential", False, True),
    ("wait_func=my_wait, stop_func=my_stop", "unknown", False, None),
])
def test_retrying_waits_and_stops(arguments, kind, jitter, bounded):
    p = policy(decorated("from retrying import retry\nfrom mylib import my_wait, my_stop", f"retry({arguments})"))
    assert (p.wait.kind, p.wait.jitter, p.bounded) == (kind, jitter, bounded)


def test_retrying_exception_predicate_and_wrapping():
    p = policy(decorated(OPENAI + "from retrying import retry",
                         "retry(retry_on_exception=lambda e: isinstance(e, RateLimitError), wrap_exception=True)"))
    assert p.retried_classes == ("openai.RateLimitError",)
    assert p.reraise is False and p.retry_error_class == "retrying.RetryError"


# --- project wrappers from config -------------------------------------------------------------


@pytest.mark.parametrize("decorator", ["with_retries", "with_retries(attempts=3)", "llm.with_retries()"])
def test_configured_retry_decorator(decorator):
    p = policy(decorated("from myapp.llm import with_retries\nfrom myapp import llm", decorator),
               config={"myapp.llm.with_retries": ["openai.RateLimitError", "openai.APIConnectionError"]})
    assert p.library == "config"
    assert p.retried_classes == ("openai.APIConnectionError", "openai.RateLimitError")
    assert p.bounded is True and p.wait.kind == "exponential" and p.wait.jitter
    assert p.retried_codes("openai") == frozenset({429, CONNECTION, TIMEOUT})


# --- look-alikes ------------------------------------------------------------------------------


@pytest.mark.parametrize("src", [
    decorated("def retry(f):\n    return f", "retry"),
    decorated("def retry(**kwargs):\n    return lambda f: f", "retry(stop=3)"),
    decorated("from mylib import retry", "retry(tries=3)"),
    decorated("import functools\nwrapped = print", "functools.wraps(wrapped)"),
    decorated("from fastapi import FastAPI\napp = FastAPI()", "app.retry(times=3)"),
    decorated("from functools import lru_cache", "lru_cache(maxsize=None)"),
    decorated("from tenacity import retry", "retry_helper"),
    "import requests.adapters\ntarget = requests.adapters.Retry(total=3, backoff_factor=1)\n",
    "from urllib3.util import Retry\ntarget = Retry(total=5, status_forcelist=[429])\n",
    "from tenacity import stop_after_attempt\ntarget = stop_after_attempt(3)\n",
])
def test_look_alikes_are_not_retry_constructs(src):
    assert policy(src) is None


def test_configured_wrappers_do_not_match_other_names():
    assert policy(decorated("from myapp.llm import cached", "cached"),
                  config={"myapp.llm.with_retries": ["builtins.Exception"]}) is None
