"""The recipients projection (libraries, people, the erased) and each person's preferences."""

from __future__ import annotations

from datetime import datetime

from notification.domain.recipients import Scope, State, default_prefs, empty_state
from notification.store.base import ERASED, LIBRARIES, PEOPLE, PREFERENCES, Doc, Repository


class RecipientsRepository(Repository):
    """The projection of libraries and people that mail is addressed from."""

    def load(self, scope: Scope | None = None) -> State:
        """Return the projection as the domain's plain dict, preferences merged in.

        With a scope, only the people and libraries it covers (`recipients.restrict` says which),
        found through the indexes; without one, everything.
        """
        db, session = self.db, self.session
        people_query: Doc = {}
        library_query: Doc = {}
        erased_query: Doc = {}
        if scope is not None:
            clauses: list[Doc] = []
            if scope.person_ids:
                clauses.append({"_id": {"$in": sorted(scope.person_ids)}})
            for library_id, role in sorted(scope.staff, key=lambda pair: (pair[0], pair[1] or "")):
                clauses.append({"library_id": library_id, "active": True, **({"role": role} if role else {})})
            if scope.roles:
                clauses.append({"role": {"$in": sorted(scope.roles)}, "active": True})
            people_query = {"$or": clauses} if clauses else {"_id": {"$in": []}}
            erased_query = {"_id": {"$in": sorted(scope.person_ids)}}
        state = empty_state()
        for doc in db[PEOPLE].find(people_query, session=session):
            state["people"][doc.pop("_id")] = doc
        if scope is not None:
            library_ids = set(scope.library_ids)
            if scope.their_libraries:
                library_ids |= {p["library_id"] for p in state["people"].values() if p.get("library_id")}
            library_query = {"_id": {"$in": sorted(library_ids)}}
        for doc in db[LIBRARIES].find(library_query, session=session):
            state["libraries"][doc.pop("_id")] = doc
        prefs_query = {} if scope is None else {"_id": {"$in": sorted(state["people"])}}
        prefs = {doc["_id"]: doc for doc in db[PREFERENCES].find(prefs_query, session=session)}
        for pid, doc in state["people"].items():
            stored = prefs.get(pid)
            doc["prefs"] = {**default_prefs(), **({"non_essential": stored["non_essential"]} if stored else {})}
        state["erased"] = [doc["_id"] for doc in db[ERASED].find(erased_query, session=session)]
        return state

    def save(self, old: State, new: State) -> None:
        """Write what changed between two projections (preferences live in their own repository)."""
        db, session = self.db, self.session
        for lid, lib in new["libraries"].items():
            if old["libraries"].get(lid) != lib:
                db[LIBRARIES].replace_one({"_id": lid}, {"_id": lid, **lib}, upsert=True, session=session)
        for pid, person in new["people"].items():
            if old["people"].get(pid) != person:
                doc = {k: v for k, v in person.items() if k != "prefs"}
                db[PEOPLE].replace_one({"_id": pid}, {"_id": pid, **doc}, upsert=True, session=session)
        for pid in set(old["people"]) - set(new["people"]):
            db[PEOPLE].delete_one({"_id": pid}, session=session)
        for pid in set(new["erased"]) - set(old["erased"]):
            db[ERASED].update_one({"_id": pid}, {"$setOnInsert": {"_id": pid}}, upsert=True, session=session)

    def is_erased(self, person_id: str) -> bool:
        """Tell whether a person was erased (nothing may be sent to them again)."""
        return self.db[ERASED].find_one({"_id": person_id}, session=self.session) is not None


class PreferencesRepository(Repository):
    """Each person's opt-out of non-essential mail (no document: they receive everything)."""

    def get(self, person_id: str) -> dict[str, bool]:
        """Return a person's preferences."""
        doc = self.db[PREFERENCES].find_one({"_id": person_id}, session=self.session)
        return {"non_essential": bool(doc["non_essential"])} if doc else default_prefs()

    def set(self, person_id: str, non_essential: bool, at: datetime) -> None:
        """Turn a person's non-essential mail on or off."""
        self.db[PREFERENCES].update_one(
            {"_id": person_id}, {"$set": {"non_essential": bool(non_essential), "updated_at": at}},
            upsert=True, session=self.session,
        )

    def forget(self, person_id: str) -> None:
        """Drop an erased person's preferences."""
        self.db[PREFERENCES].delete_one({"_id": person_id}, session=self.session)
