"""`fields`: the parts of a study record to return.

Each name is a piece (`LocationCity`), a field path (`protocolSection.
contactsLocationsModule`), a search area (`ConditionSearch`: its fields) or `@query`
(the fields of the areas the query searched). A branch brings everything under it.
The projection keeps the record's shape: `LocationCity` gives
`{"protocolSection": {"contactsLocationsModule": {"locations": [{"city": ...}, ...]}}}`,
one object per location, each with only the fields asked for (a location with none of
them is left out).
"""

from __future__ import annotations

from dataclasses import dataclass

from trials.studies import model

WHOLE = True  # a subtree kept whole


@dataclass(frozen=True)
class Projection:
    tree: dict  # key -> subtree (a dict) or WHOLE

    @classmethod
    def of(cls, names: list[str], queried: tuple[str, ...] = ()) -> Projection:
        fields: list[model.Field] = []
        for name in names:
            if name == "@query":
                areas = queried or ("BasicSearch",)
                fields.extend(f for a in areas for f in model.AREAS_BY_NAME[a.lower()].fields)
                continue
            found = model.find(name)
            if found is not None:
                fields.append(found)
                continue
            area = model.AREAS_BY_NAME.get(name.strip().lower())
            if area is None:
                raise ValueError(
                    f"no field, piece or search area {name!r} (see /api/v2/studies/metadata)"
                )
            fields.extend(area.fields)
        tree: dict = {}
        for found in fields:
            node = tree
            for key in found.path[:-1]:
                child = node.setdefault(key, {})
                if child is WHOLE:
                    break
                node = child
            else:
                node[found.path[-1]] = WHOLE
        return cls(tree)

    def apply(self, study: dict) -> dict:
        return _pick(study, self.tree)


def _pick(value, tree):
    if tree is WHOLE:
        return value
    if isinstance(value, list):
        picked = [_pick(item, tree) for item in value]
        return [item for item in picked if item not in ({}, None)]
    if not isinstance(value, dict):
        return None
    found = {}
    for key, subtree in tree.items():
        if key in value:
            picked = _pick(value[key], subtree)
            if picked not in ({}, None, []) or subtree is WHOLE:
                found[key] = picked
    return found
