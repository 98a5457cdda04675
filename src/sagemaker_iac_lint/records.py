"""Plain record classes: value equality, ``repr`` and ``replace`` over a class's ``__slots__``.

A dataclass would do, but importing ``dataclasses`` (and with it ``inspect``) and building each
class is a good part of the CLI's start-up, which a one-file run mostly is: about 15-20 ms of a
40-55 ms run. So a record is an ordinary class: it lists its fields in ``__slots__``, annotates
them in the class body, and assigns them in ``__init__``, whose parameters are named as the fields.
A record whose fields are annotated ``Final`` is immutable to a type checker; ``FrozenRecord``
adds a hash over the fields for those.
"""

from __future__ import annotations

TYPE_CHECKING = False
if TYPE_CHECKING:  # typing is not imported at run time: it is a start-up cost for annotations only
    from typing_extensions import Self


class Record:
    """Equality, ``repr``, ``replace`` and copying over the fields in ``__slots__``; not hashable."""

    __slots__: tuple[str, ...] = ()

    def field_values(self) -> tuple[object, ...]:
        return tuple(getattr(self, name) for name in self.__slots__)

    def as_dict(self) -> dict[str, object]:
        return {name: getattr(self, name) for name in self.__slots__}

    def replace(self, **changes: object) -> Self:
        """A copy with some fields changed, as ``dataclasses.replace`` makes one."""
        unknown = set(changes) - set(self.__slots__)
        if unknown:
            raise TypeError(f"{self.__class__.__name__} has no field {sorted(unknown)[0]!r}")
        return self.__class__(**{**self.as_dict(), **changes})

    def __eq__(self, other: object) -> bool:
        if other.__class__ is self.__class__:
            assert isinstance(other, Record)
            return self.field_values() == other.field_values()
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]  # mutable: like a dataclass with eq and without frozen

    def __repr__(self) -> str:
        shown = ", ".join(f"{name}={getattr(self, name)!r}" for name in self.__slots__)
        return f"{self.__class__.__qualname__}({shown})"

    def __reduce__(self) -> tuple[object, ...]:  # copy, deepcopy and pickle: through __init__
        return self.__class__, self.field_values()


class FrozenRecord(Record):
    """A record whose fields are all annotated ``Final`` (a type checker refuses to assign them
    after ``__init__``), hashed over its fields."""

    __slots__ = ()

    def __hash__(self) -> int:  # type: ignore[override]  # the base is unhashable, as a mutable record
        return hash(self.field_values())
