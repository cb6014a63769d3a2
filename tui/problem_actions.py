"""The decisions the Problems screen makes from the keyboard, one entry each: the verb of the
engine's action it carries out (engine.review.guide.Action.verb), the binding that starts it
(tui.keys) and the ProblemsScreen method that asks for what it needs and records it. The engine
lists each problem's actions; a verb with an entry here gets its key on screen, the others are
shown as the command that does it (`harvest prices fill`, `harvest import FILE`).

Adding one is an entry here, a KeySpec with the action "act('VERB')" on the problems screen, and
its `start_…` method."""

from __future__ import annotations

from dataclasses import dataclass

from engine.planning.data_problems import SENT_OUTSIDE
from engine.review.problems import Problem


@dataclass(frozen=True)
class AppAction:
    verb: str  # as engine.review.guide names it ("unpair": offered where other ends are listed)
    key_id: str  # its binding in tui.keys
    start: str  # the ProblemsScreen method that starts it: start(problem)


APP_ACTIONS: tuple[AppAction, ...] = (
    AppAction("pair", "pair", "start_pair"),
    AppAction("unpair", "unpair", "start_unpair"),
    AppAction("classify", "classify", "start_classify"),
    AppAction("own-address", "own_address", "start_own_address"),
    AppAction("price", "price", "start_price"),
    AppAction("alias", "alias", "start_alias"),
    AppAction("migrate", "alias", "start_migrate"),  # m: an alias or a migration, as the problem suggests
    AppAction("ignore", "ignore", "start_ignore"),
)
BY_VERB = {action.verb: action for action in APP_ACTIONS}


def offered(problem: Problem) -> set[str]:
    """The verbs the app can carry out on this problem. Pairing needs an other end to choose
    (without one the command line names any record); never-pair needs one to rule out."""
    verbs = {action.verb for action in problem.actions}
    if problem.other_ends:
        verbs.add("unpair")
    else:
        verbs.discard("pair")
    return verbs & BY_VERB.keys()


def verb_for(verb: str, problem: Problem) -> str:
    """What a key does on this problem: a key two verbs share (m: alias, migrate) does the one
    the problem offers."""
    here = offered(problem)
    if verb in here:
        return verb
    shared = [a.verb for a in APP_ACTIONS if a.key_id == BY_VERB[verb].key_id]
    return next((other for other in shared if other in here), verb)


def not_offered(problem: Problem, verb: str) -> str:
    """Why a key does nothing on this problem: one line, and what would resolve it instead."""
    if verb == "pair" and any(action.verb == "pair" for action in problem.actions):
        other = "receipt" if problem.kind == SENT_OUTSIDE else "send"
        return (f"no {other} of yours is a likely other end of {problem.ref or problem.id}: classify it, "
                f"or pair it by id with `harvest review pair`")  # fmt: skip
    if verb == "unpair":
        return f"{problem.ref or problem.id} has no other end listed to rule out"
    return f"a {problem.label} cannot be resolved that way: see the actions listed under it"
