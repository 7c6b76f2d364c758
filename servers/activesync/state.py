"""Device and sync state of ActiveSync clients, kept in the store's state table
(scope "eas", per account). Every function takes a transaction first and is built
only from store.state calls, so the runner can run a read-modify-write atomically.

Keys (per account):
    device:<id>          provisioning, wipe, device information
    folders:<id>         FolderSync state: current and previous key with the folder map
    sync:<id>:<folder>   per-collection Sync state: {uuid, n, cur, prev}
    ping:<id>            the last Ping's heartbeat and folders (empty Ping reuses them)
    lastsync:<id>        the last Sync request's collections (empty Sync reuses them)
The device "validate" (Android account set-up) never gets anything written.
"""

from __future__ import annotations

from typing import Any

from postvak.store import state as store_state

SCOPE = "eas"
EPHEMERAL_DEVICES = frozenset({"validate"})


def persistent(device_id: str) -> bool:
    return device_id.lower() not in EPHEMERAL_DEVICES


def get(tx: Any, account_id: int, key: str) -> Any:
    return store_state.get(tx, SCOPE, account_id, key)


def put(tx: Any, account_id: int, key: str, value: Any) -> None:
    store_state.put(tx, SCOPE, account_id, key, value)


def merge(tx: Any, account_id: int, key: str, changes: dict[str, Any]) -> dict[str, Any]:
    """Update some fields of a JSON object atomically; returns the new object."""
    current = dict(store_state.get(tx, SCOPE, account_id, key) or {})
    current.update(changes)
    store_state.put(tx, SCOPE, account_id, key, current)
    return current


def device_key(device_id: str) -> str:
    return f"device:{device_id}"


def sync_key_name(device_id: str, folder: str) -> str:
    return f"sync:{device_id}:{folder}"


def list_devices(tx: Any, account_id: int) -> list[tuple[str, dict[str, Any]]]:
    entries = store_state.list_entries(tx, SCOPE, account_id, "device:")
    return [(e.key.partition(":")[2], e.value) for e in entries]


def remove_device(tx: Any, account_id: int, device_id: str) -> int:
    """Forget a device and all its sync state; returns the number of keys removed."""
    removed = 0
    for prefix in (f"device:{device_id}", f"folders:{device_id}", f"sync:{device_id}:",
                   f"ping:{device_id}", f"lastsync:{device_id}"):
        for entry in store_state.list_entries(tx, SCOPE, account_id, prefix):
            if entry.key == prefix or prefix.endswith(":"):
                removed += int(store_state.delete_key(tx, SCOPE, account_id, entry.key))
    return removed


def drop_collection_states(tx: Any, account_id: int, device_id: str) -> None:
    """A FolderSync with key 0 restarts the device: every collection starts over."""
    for entry in store_state.list_entries(tx, SCOPE, account_id, f"sync:{device_id}:"):
        store_state.delete_key(tx, SCOPE, account_id, entry.key)
