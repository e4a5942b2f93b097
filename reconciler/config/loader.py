"""YAML text to plain data, remembering where every key and value was written.

PyYAML's loaders silently keep the last of two equal keys and forget positions, so this
composes the node graph itself and converts it: duplicate keys become located errors and
every mapping key and value keeps its line and column for later messages.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.events import CollectionEndEvent, CollectionStartEvent
from yaml.nodes import MappingNode, Node, ScalarNode, SequenceNode

from reconciler.config.diagnostics import SURROGATES, Diagnostic, Location

NodePath = tuple["str | int", ...]
Mark = tuple[int, int]

MAP_TAG = "tag:yaml.org,2002:map"
SEQ_TAG = "tag:yaml.org,2002:seq"
MERGE_TAG = "tag:yaml.org,2002:merge"
# Guards against alias bombs ("billion laughs") and stack exhaustion from deep nesting.
MAX_NODES = 200_000
MAX_DEPTH = 64
# Text made again through an alias costs one value more per this many characters.
TEXT_PER_VALUE = 256


@dataclass
class Document:
    file: Path
    data: Any
    value_marks: dict[NodePath, Mark] = field(default_factory=dict)
    key_marks: dict[NodePath, Mark] = field(default_factory=dict)
    # Values made, aliases and merges expanded: the work converting the file took.
    values: int = 0

    def location(self, path: NodePath, *, key: bool = False) -> Location:
        """The position of ``path`` (its key if ``key``), else of its nearest known ancestor."""
        marks = self.key_marks if key else self.value_marks
        for end in range(len(path), -1, -1):
            mark = marks.get(path[:end]) or self.key_marks.get(path[:end])
            if mark is not None:
                return Location(self.file, *mark)
        return Location(self.file, 1, 1)


class _Fatal(Exception):
    def __init__(self, mark: yaml.Mark | None, message: str) -> None:
        super().__init__(message)
        self.mark = mark


# libyaml composes nodes ~5x faster than PyYAML's Python code, but recursively in C: a
# pathologically nested file crashes the interpreter. Its event parser is iterative, so it
# measures the nesting first; deeper files (and any syntax error, for the same located
# message either way) go to the pure-Python loader, which fails with a RecursionError.
C_COMPOSE_MAX_DEPTH = 256


def _nesting(text: str, limit: int = C_COMPOSE_MAX_DEPTH) -> int:
    """The deepest nesting, or ``limit + 1`` as soon as it is exceeded: parsers (libyaml's
    too) are quadratic in flow depth, so a pathological file must be stopped early."""
    depth = deepest = 0
    for event in yaml.parse(text, Loader=yaml.CSafeLoader):
        if isinstance(event, CollectionStartEvent):
            depth += 1
            deepest = max(deepest, depth)
            if deepest > limit:
                return deepest
        elif isinstance(event, CollectionEndEvent):
            depth -= 1
    return deepest


def _compose(text: str) -> Node | None:
    if yaml.__with_libyaml__:
        try:
            depth = _nesting(text)
        except yaml.YAMLError:
            pass  # the pure-Python loader below reports it, located the same way
        else:
            if depth > C_COMPOSE_MAX_DEPTH:
                # PyYAML's own scanner is quadratic in flow depth: answer without it.
                raise RecursionError(depth)
            return yaml.compose(text, Loader=yaml.CSafeLoader)
    return yaml.compose(text, Loader=yaml.SafeLoader)


def parse_yaml(text: str, file: Path) -> tuple[Document | None, list[Diagnostic]]:
    try:
        root = _compose(text)
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark or error.context_mark
        problem = error.problem or error.context or "invalid YAML"
        context = f" ({error.context})" if error.context and error.problem else ""
        text = _plain(f"{problem}{context}")
        return None, [_error_at(file, mark, f"YAML syntax error: {text}")]
    except yaml.reader.ReaderError as error:
        line, column = _line_column(text, error.position)
        message = f"YAML syntax error: character {error.character:#x} is not allowed"
        return None, [Diagnostic("error", file, line, column, "", message)]
    except RecursionError:
        return None, [Diagnostic("error", file, 1, 1, "", "YAML is nested too deeply")]
    if root is None:
        message = "the file is empty; it needs at least `version: 1`"
        return None, [Diagnostic("error", file, 1, 1, "", message)]
    document = Document(file, None)
    converter = _Converter(document)
    try:
        document.data = converter.value(root, (), 0)
    except _Fatal as error:
        return None, [*converter.diagnostics, _error_at(file, error.mark, str(error))]
    return document, converter.diagnostics


def load_yaml(file: Path) -> tuple[Document | None, list[Diagnostic]]:
    try:
        raw = file.read_bytes()
    except OSError as error:
        return None, [Diagnostic("error", file, None, None, "", f"cannot read: {error.strerror}")]
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        byte = raw[error.start]
        return None, [Diagnostic("error", file, line, column, "", f"not UTF-8 (byte {byte:#x})")]
    return parse_yaml(text, file)


def _plain(problem: str) -> str:
    """PyYAML's wording without its "unexpected", which in our messages only ever means a
    bug ("unexpected end of stream" is a file that stops in the middle of something)."""
    problem = problem.replace("found unexpected end of stream", "the file ends too early")
    return problem.replace("unexpected", "misplaced")


def _mark(node: Node) -> Mark:
    return (node.start_mark.line + 1, node.start_mark.column + 1)


def _error_at(file: Path, mark: yaml.Mark | None, message: str) -> Diagnostic:
    if mark is None:
        return Diagnostic("error", file, 1, 1, "", message)
    return Diagnostic("error", file, mark.line + 1, mark.column + 1, "", message)


def _escaped(text: str) -> str:
    """Text as its YAML escapes: ``"\\ud800"`` stays six characters, never a surrogate."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def _line_column(text: str, position: int) -> Mark:
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


class _Converter:
    """Plain data from the node graph, paying for every value it makes.

    An alias or a merge key (<<) copies what it names, so a small file can name billions of
    values; every value made counts against MAX_NODES, merged mappings included, and text
    made again through an alias also pays for its length, which later checks scan.
    """

    def __init__(self, document: Document) -> None:
        self.document = document
        self.diagnostics: list[Diagnostic] = []
        self.constructor = SafeConstructor()
        self.open: set[int] = set()  # collections being converted: a repeat means a cycle
        self.made: set[int] = set()  # scalars already made once: text made again costs more
        self.reported: set[tuple[int, str]] = set()

    def _pay(self, node: Node, depth: int, cost: int = 1) -> None:
        self.document.values += cost
        if self.document.values > MAX_NODES:
            raise _Fatal(
                node.start_mark,
                f"document too large (over {MAX_NODES} values once aliases and merge keys "
                "(<<) are expanded)",
            )
        if depth > MAX_DEPTH:
            raise _Fatal(node.start_mark, f"nested more than {MAX_DEPTH} levels deep")

    def _text_cost(self, node: ScalarNode) -> int:
        """What text made again through an alias costs beyond its value: later checks scan it."""
        if id(node) in self.made:
            return len(node.value) // TEXT_PER_VALUE
        self.made.add(id(node))
        return 0

    def value(self, node: Node, path: NodePath, depth: int) -> Any:
        self._pay(node, depth, 1 + self._text_cost(node) if isinstance(node, ScalarNode) else 1)
        self.document.value_marks[path] = _mark(node)
        if isinstance(node, ScalarNode):
            return self._scalar(node, path)
        if id(node) in self.open:
            raise _Fatal(node.start_mark, "an alias refers to its own anchor (a cycle)")
        self.open.add(id(node))
        try:
            if isinstance(node, SequenceNode) and node.tag == SEQ_TAG:
                return [
                    self.value(item, (*path, i), depth + 1) for i, item in enumerate(node.value)
                ]
            if isinstance(node, MappingNode) and node.tag == MAP_TAG:
                return self._mapping(node, path, depth)
            raise _Fatal(node.start_mark, f"unsupported YAML tag {node.tag}")
        finally:
            self.open.discard(id(node))

    def _scalar(self, node: ScalarNode, path: NodePath) -> Any:
        try:
            value = self.constructor.construct_object(node, deep=True)
        except yaml.MarkedYAMLError as error:
            raise _Fatal(node.start_mark, f"cannot read value: {error.problem}") from error
        except (ValueError, TypeError, OverflowError) as error:
            raise _Fatal(node.start_mark, f"cannot read value: {error}") from error
        if isinstance(value, str) and SURROGATES.search(value):
            self._not_unicode(node, value, path, "the text")
            return _escaped(value)  # later messages may quote it: keep them printable
        return value

    def _not_unicode(self, node: Node, text: str, path: NodePath, what: str) -> None:
        found = SURROGATES.search(text)
        code = f"\\u{ord(found.group()):04x}" if found else "a surrogate"
        message = (
            f"{what} is not valid Unicode: {code} is a lone surrogate, not a character "
            "(write characters above U+FFFF as \\UXXXXXXXX or as themselves)"
        )
        self._report(node, path, message)

    def _report(self, node: Node, path: NodePath, message: str) -> None:
        """One problem per place written: a node copied by aliases is reported once."""
        if (id(node), message) not in self.reported:
            self.reported.add((id(node), message))
            location = Location(self.document.file, *_mark(node))
            self.diagnostics.append(Diagnostic.at(location, dotted(path), message))

    def _mapping(self, node: MappingNode, path: NodePath, depth: int) -> dict[str, Any]:
        result: dict[str, Any] = {}
        merges = [i for i, (key, _) in enumerate(node.value) if key.tag == MERGE_TAG]
        if merges:
            self._merge(node.value[merges[0]][1], result, path, depth)
        first_seen: dict[str, Node] = {}
        for i, (key_node, value_node) in enumerate(node.value):
            if key_node.tag == MERGE_TAG:
                if i != merges[0]:
                    self._duplicate(key_node, node.value[merges[0]][0], (*path, "<<"), depth)
                continue
            if not isinstance(key_node, ScalarNode):
                raise _Fatal(key_node.start_mark, "a mapping key must be plain text")
            if extra := self._text_cost(key_node):
                self._pay(key_node, depth + 1, extra)
            # The key's text as written: `on:` or `1:` stay names, not booleans or numbers.
            key = str(key_node.value)
            if key in first_seen:
                self._duplicate(key_node, first_seen[key], (*path, key), depth)
                continue
            first_seen[key] = key_node
            if SURROGATES.search(key):
                key_path = (*path, _escaped(key))
                self._not_unicode(key_node, key, key_path, "the key")
                # Dropped (no field has such a name, and later messages would quote it), but
                # read all the same: its value may hold more problems to report at once.
                self.value(value_node, key_path, depth + 1)
                continue
            key_path = (*path, key)
            self.document.key_marks[key_path] = _mark(key_node)
            result[key] = self.value(value_node, key_path, depth + 1)
        return result

    def _merge(self, merge: Node, result: dict[str, Any], path: NodePath, depth: int) -> None:
        """YAML merge keys: explicit keys win, and earlier merge sources over later ones."""
        for source in reversed(self._merge_sources(merge)):
            self._pay(source, depth + 1)  # a merged mapping is made again, like an alias
            if id(source) in self.open:
                raise _Fatal(source.start_mark, "a merge key (<<) refers to its own mapping")
            self.open.add(id(source))
            try:
                result.update(self._mapping(source, path, depth + 1))
            finally:
                self.open.discard(id(source))

    def _duplicate(self, key_node: Node, first: Node, path: NodePath, depth: int) -> None:
        self._pay(key_node, depth + 1)  # makes no value, but is work all the same
        line, column = _mark(first)
        message = f"duplicate key '{path[-1]}' (first defined at line {line}, column {column})"
        self._report(key_node, path, message)

    def _merge_sources(self, node: Node) -> list[MappingNode]:
        if isinstance(node, MappingNode):
            return [node]
        if isinstance(node, SequenceNode) and all(isinstance(n, MappingNode) for n in node.value):
            return list(node.value)
        raise _Fatal(node.start_mark, "a merge key (<<) needs a mapping or a list of mappings")


def dotted(path: NodePath) -> str:
    """``("voices", "a", "tags", 0)`` as ``voices.a.tags[0]``."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else part)
    return text
