"""Rules on the why-tree: it branches, its leaves are root causes, each root cause is
addressed, and a blamed dependency is analysed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..model import Coe
from .registry import Finding, rule


@rule("COE101", "why-chain")
def why_chain(coe: Coe, **_: Any) -> Iterator[Finding]:
    """The why-tree never branches: it names a single contributing factor.

    Incidents have several contributing factors: why it happened, why it was not
    caught sooner, why the impact lasted as long as it did. A chain stops at one.

    Failing example:

        whys:
          problem: 3% of API calls failed
          causes:
            - id: W1
              because: Hosts returned HTTP 500
              causes:
                - {id: W1.1, because: A volume degraded, root_cause: true, category: hardware}

    Passing example:

        whys:
          problem: 3% of API calls failed
          causes:
            - {id: W1, because: A volume degraded, root_cause: true, category: hardware}
            - {id: W2, because: No alarm on volume latency, root_cause: true, category: detection-gap}
    """
    if coe.whys is None:
        return
    nodes = coe.whys.nodes()
    if len(coe.whys.causes) < 2 and all(len(node.causes) < 2 for node in nodes):
        yield coe.places.of(coe.whys.json_path + ("problem",)), (
            "the why-tree is a chain with one contributing factor; ask also why it was not "
            "caught sooner and why the impact lasted as long as it did")


@rule("COE102", "open-leaf")
def open_leaf(coe: Coe, **_: Any) -> Iterator[Finding]:
    """A leaf of the why-tree is not marked as a root cause.

    Keep asking why until the answer is something to change, then mark it
    `root_cause: true` with a category.

    Failing example:

        whys:
          problem: 3% of API calls failed
          causes:
            - {id: W1, because: Hosts returned HTTP 500}

    Passing example:

        whys:
          problem: 3% of API calls failed
          causes:
            - {id: W1, because: A volume degraded, root_cause: true, category: hardware}
    """
    if coe.whys is None:
        return
    for node in coe.whys.nodes():
        if not node.causes and not node.root_cause:
            yield coe.places.of(node.json_path + ("id",)), (
                f"why-node {node.id} is a leaf but not a root cause; ask why once more, "
                "or mark it root_cause: true")


@rule("COE103", "root-cause-unaddressed")
def root_cause_unaddressed(coe: Coe, **_: Any) -> Iterator[Finding]:
    """A root cause that no action item addresses.

    Every root cause needs an action item whose `addresses` names it, or the same
    cause can bring the same incident back.

    Failing example:

        whys:
          problem: 3% of API calls failed
          causes:
            - {id: W1, because: A volume degraded, root_cause: true, category: hardware}

    Passing example:

        whys:
          problem: 3% of API calls failed
          causes:
            - {id: W1, because: A volume degraded, root_cause: true, category: hardware}
        action_items:
          - {id: AI-1, title: Replace degraded volumes automatically, owner: ana, priority: high,
             due: 2099-01-01, status: open, addresses: [W1], link: "https://tickets.example.com/1"}
    """
    if coe.whys is None:
        return
    addressed = {node for item in coe.action_items for node in item.addresses}
    for node in coe.whys.nodes():
        if node.root_cause and node.id not in addressed:
            yield coe.places.of(node.json_path + ("id",)), (
                f"root cause {node.id} has no action item; add one whose addresses lists {node.id}")



@rule("COE107", "dependency-unanalysed")
def dependency_unanalysed(coe: Coe, **_: Any) -> Iterator[Finding]:
    """A why-node blames a dependency (`category: dependency`) and the COE has no
    `dependencies` analysis.

    A dependency may not simply be blamed: say what it promised, what it did, whether
    the failure mode was to be expected and how the blast radius could shrink.

    Failing example:

        whys:
          problem: Sign-in failed
          causes:
            - {id: W1, because: The session store failed over, root_cause: true, category: dependency}

    Passing example:

        whys:
          problem: Sign-in failed
          causes:
            - {id: W1, because: The session store failed over, root_cause: true, category: dependency}
        dependencies:
          - {name: session-store, promise: 99.99% and failover under 30 s, observed: failover took 40 s,
             failure_mode_expected: true, blast_radius: Serve cached sessions during failover}
    """
    if coe.whys is None or coe.dependencies:
        return
    for node in coe.whys.nodes():
        if node.category == "dependency":
            yield coe.places.of(node.json_path + ("id",)), (
                f"why-node {node.id} blames a dependency but the COE has no dependencies "
                "analysis: what did it promise, what did it do, was this failure mode expected?")
