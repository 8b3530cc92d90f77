"""moto_server, answering one request at a time.

AWS applies each write to an item atomically: "Individual write operations such as UpdateItem are
atomic and always operate on the most recent version of the item, regardless of concurrency"
(https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/BestPractices_ImplementingVersionControl.html).
moto 5.2's server is threaded and its DynamoDB backend evaluates a ConditionExpression and then
writes, without a lock: two conditional PutItems on one item, sent at once, can both succeed
(measured: 2 of 1,000 rounds of eight concurrent `attribute_not_exists` puts had two winners on
a loaded two-core machine). The ledger's one-winner guarantee rests on that atomicity, so the
tests run moto with every request answered whole before the next: the same server and the same
arguments as `moto_server`, with a lock around its WSGI application. Python's GIL already runs
one request's code at a time, so the lock costs only the overlap of network I/O.
"""

import threading

from moto import server
from moto.moto_server.werkzeug_app import DomainDispatcherApplication

_one_at_a_time = threading.Lock()
_dispatch = DomainDispatcherApplication.__call__


def _serialized(self, environ, start_response):  # type: ignore[no-untyped-def]
    with _one_at_a_time:
        return _dispatch(self, environ, start_response)


DomainDispatcherApplication.__call__ = _serialized  # type: ignore[method-assign]

if __name__ == "__main__":
    server.main()
