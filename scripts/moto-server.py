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

moto 5.2 also creates a second account with an address an account of the organization already has,
where AWS fails the request: "EMAIL_ALREADY_EXISTS: The account could not be created because another
Amazon Web Services account with that email address already exists." (SDK model,
CreateAccountStatus.FailureReason). appvend sends CreateAccount without reading the whole
organization first and relies on that failure to find an address taken outside the application's
OU, so the tests' moto fails such a request as AWS does: a FAILED status, no account. Likewise moto
makes a second OU of a name under the same parent, which AWS refuses ("An OU with the same name
already exists.", DuplicateOrganizationalUnitException): appvend creates an application's OU first
and looks for it only when AWS refuses, so the tests' moto refuses it too.
"""

import threading

from typing import Any

from moto import server
from moto.core.utils import unix_time
from moto.moto_server.werkzeug_app import DomainDispatcherApplication
from moto.organizations import utils as organizations_utils
from moto.organizations.exceptions import DuplicateOrganizationalUnitException
from moto.organizations.models import OrganizationsBackend

_one_at_a_time = threading.Lock()
_dispatch = DomainDispatcherApplication.__call__


def _serialized(self, environ, start_response):  # type: ignore[no-untyped-def]
    with _one_at_a_time:
        return _dispatch(self, environ, start_response)


DomainDispatcherApplication.__call__ = _serialized  # type: ignore[method-assign]

_create_account = OrganizationsBackend.create_account
_describe_status = OrganizationsBackend.describe_create_account_status
_list_statuses = OrganizationsBackend.list_create_account_status


def _failed_requests(backend: OrganizationsBackend) -> dict[str, dict[str, Any]]:
    return backend.__dict__.setdefault("_appvend_failed_requests", {})


def _create_account_once_per_address(self: OrganizationsBackend, **kwargs: Any) -> dict[str, Any]:
    email = str(kwargs.get("Email", "")).lower()
    if self.org is None or not any(a.email.lower() == email for a in self.accounts):
        return _create_account(self, **kwargs)
    now = unix_time()
    status = {
        "Id": organizations_utils.make_random_create_account_status_id(),
        "AccountName": kwargs["AccountName"],
        "State": "FAILED",
        "RequestedTimestamp": now,
        "CompletedTimestamp": now,
        "FailureReason": "EMAIL_ALREADY_EXISTS",
    }
    _failed_requests(self)[status["Id"]] = status
    return {"CreateAccountStatus": status}


def _describe_failed_too(self: OrganizationsBackend, **kwargs: Any) -> dict[str, Any]:
    failed = _failed_requests(self).get(kwargs["CreateAccountRequestId"])
    return {"CreateAccountStatus": failed} if failed else _describe_status(self, **kwargs)


def _list_failed_too(self: OrganizationsBackend, **kwargs: Any) -> dict[str, Any]:
    listed = _list_statuses(self, **kwargs)
    states = kwargs.get("States") or ["IN_PROGRESS", "SUCCEEDED", "FAILED"]
    # Only on the last page, so that moto's own paging of the accounts' statuses stays as it is.
    if "FAILED" in states and not listed.get("NextToken"):
        listed["CreateAccountStatuses"] = [*listed["CreateAccountStatuses"], *_failed_requests(self).values()]
    return listed


_create_ou = OrganizationsBackend.create_organizational_unit


def _create_ou_once_per_name(self: OrganizationsBackend, **kwargs: Any) -> dict[str, Any]:
    if any(ou.parent_id == kwargs.get("ParentId") and ou.name == kwargs.get("Name") for ou in self.ou):
        raise DuplicateOrganizationalUnitException
    return _create_ou(self, **kwargs)


OrganizationsBackend.create_organizational_unit = _create_ou_once_per_name  # type: ignore[method-assign]
OrganizationsBackend.create_account = _create_account_once_per_address  # type: ignore[method-assign]
OrganizationsBackend.describe_create_account_status = _describe_failed_too  # type: ignore[method-assign]
OrganizationsBackend.list_create_account_status = _list_failed_too  # type: ignore[method-assign]

if __name__ == "__main__":
    server.main()
