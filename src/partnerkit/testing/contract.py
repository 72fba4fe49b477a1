"""The storage contract: pytest suites that prove a backend behaves like the reference ones.

One suite per area, to run one at a time, and :class:`StorageContract` for
all of them. Subclass the ones you want in your test suite (name the
subclass ``Test...`` so pytest collects it) and give them a storage, either
with one ``partnerkit_storage`` fixture (enable
:mod:`partnerkit.testing.pytest_plugin` for its helpers)::

    # conftest.py
    import pytest

    pytest_plugins = ["partnerkit.testing.pytest_plugin"]


    @pytest.fixture
    def partnerkit_storage(partnerkit_dispatcher, tmp_path):
        return MyOrmStorage(dsn=..., dispatcher=partnerkit_dispatcher)


    # test_storage_contract.py
    from partnerkit.testing.contract import DealsContract, StorageContract


    class TestMyBackend(StorageContract):
        pass

or by implementing ``make_storage`` on the subclass::

    class TestMyBackend(StorageContract):
        def make_storage(self, dispatcher, tmp_path):
            return MyOrmStorage(dsn=..., dispatcher=dispatcher)

partnerkit runs these suites against :class:`~partnerkit.storage.MemoryStorage`
and :class:`~partnerkit.storage.SqliteStorage`. A new area adds its suite
here and to the bases of :class:`StorageContract` (one line).
"""

from __future__ import annotations

from partnerkit.testing._activity_contract import ActivityStoreContract
from partnerkit.testing._core_contract import (
    CONTRACT_CODES,
    CONTRACT_MEMOS,
    CONTRACT_MEMOS_V1,
    CONTRACT_NOTES,
    CONTRACT_NOTES_BY_LENGTH,
    ContractCode,
    ContractMemo,
    ContractMemoV1,
    ContractNote,
    CoreStorageContract,
    NoteWritten,
)
from partnerkit.testing._dashboard_contract import DashboardContract
from partnerkit.testing._deals_contract import DealsContract
from partnerkit.testing._fixtures import StorageFixtures
from partnerkit.testing._partners_contract import PartnersContract
from partnerkit.testing._plans_contract import PlansContract
from partnerkit.testing._programs_contract import ProgramsContract
from partnerkit.testing._quoting_contract import QuotingContract

__all__ = [
    "CONTRACT_CODES",
    "CONTRACT_MEMOS",
    "CONTRACT_MEMOS_V1",
    "CONTRACT_NOTES",
    "CONTRACT_NOTES_BY_LENGTH",
    "ActivityStoreContract",
    "ContractCode",
    "ContractMemo",
    "ContractMemoV1",
    "ContractNote",
    "CoreStorageContract",
    "DashboardContract",
    "DealsContract",
    "NoteWritten",
    "PartnersContract",
    "PlansContract",
    "ProgramsContract",
    "QuotingContract",
    "StorageContract",
    "StorageFixtures",
]


class StorageContract(
    CoreStorageContract,
    ProgramsContract,
    PartnersContract,
    DealsContract,
    QuotingContract,
    PlansContract,
    DashboardContract,
    # A new area's suite joins here.
):
    """Every storage area's suite at once: what a complete backend must show.

    :class:`CoreStorageContract`, :class:`ProgramsContract`,
    :class:`PartnersContract`, :class:`DealsContract`,
    :class:`QuotingContract`, :class:`PlansContract` and
    :class:`DashboardContract`; its storage comes
    from ``make_storage`` or the ``partnerkit_storage`` fixture (see :class:`StorageFixtures`). The
    activity store is a port of its own: :class:`ActivityStoreContract`.
    """
