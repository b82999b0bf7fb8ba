"""Rules on the mitigation: a rollback considered, evidence kept, the one that worked named."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..model import Coe
from .blame import _Caseless
from .registry import Finding, rule


_ROLLBACK = _Caseless.compile(r"roll(?:ed|ing)?[ -]?back|rollback|revert")


@rule("COE112", "deployment-without-rollback")
def deployment_without_rollback(coe: Coe, **_: Any) -> Iterator[Finding]:
    """A why-node of category `deployment`, and no sign that a rollback was considered:
    no mitigation of kind `rollback` and no mention of one in the mitigations or the
    timeline. At the start of every incident, ask "was there a deployment?".

    Failing example:

        whys:
          problem: Checkout failed
          causes:
            - {id: W1, because: Release 42 broke checkout, root_cause: true, category: deployment}

    Passing example:

        whys:
          problem: Checkout failed
          causes:
            - {id: W1, because: Release 42 broke checkout, root_cause: true, category: deployment}
        mitigations:
          - {kind: rollback, description: Rolled back to release 41, effective: true}
    """
    if coe.whys is None:
        return
    deployment = [node for node in coe.whys.nodes() if node.category == "deployment"]
    if not deployment or any(m.kind == "rollback" for m in coe.mitigations):
        return
    texts = [m.description for m in coe.mitigations] + [e.event for e in coe.timeline]
    if any(_ROLLBACK.search(text) for text in texts):
        return
    yield coe.places.of(deployment[0].json_path + ("id",)), (
        f"why-node {deployment[0].id} is a deployment, but no rollback appears in the "
        "mitigations or the timeline; say whether one was considered and why not")


_KEPT = _Caseless.compile(
    r"kept|keep|aside|preserv|snapshot|heap dump|core dump|for investigation|保留")


@rule("COE113", "restart-without-evidence")
def restart_without_evidence(coe: Coe, **_: Any) -> Iterator[Finding]:
    """A restart mitigated, and nothing says what was kept for investigation (some hosts
    set aside, a heap dump, logs). A restart clears the evidence with the fault.

    Failing example:

        mitigations:
          - {kind: restart, description: Restarted all API hosts, effective: true}

    Passing example:

        mitigations:
          - {kind: restart, description: "Restarted all API hosts but two, kept aside for investigation", effective: true}
    """
    restarts = [i for i, m in enumerate(coe.mitigations) if m.kind == "restart"]
    if not restarts:
        return
    texts = [m.description for m in coe.mitigations] + [e.event for e in coe.timeline]
    if any(_KEPT.search(text) for text in texts):
        return
    yield coe.places.of(coe.mitigations[restarts[0]].json_path + ("kind",)), (
        "a restart with nothing kept for investigation; say which hosts, dumps or logs were "
        "set aside before restarting")



@rule("COE115", "no-effective-mitigation")
def no_effective_mitigation(coe: Coe, **_: Any) -> Iterator[Finding]:
    """Mitigations are listed but none is marked `effective: true`: which one ended the
    impact? Marking the one that worked (and those that did not) tells the next
    responder what to try first.

    Failing example:

        mitigations:
          - {kind: restart, description: Restarted two hosts kept aside for investigation, effective: false}

    Passing example:

        mitigations:
          - {kind: restart, description: Restarted two hosts kept aside for investigation, effective: false}
          - {kind: shift-away, description: Drained the zone, effective: true}
    """
    if coe.mitigations and not any(m.effective for m in coe.mitigations):
        yield coe.places.of(("mitigations",)), "no mitigation is marked effective: true; which one ended the impact?"
