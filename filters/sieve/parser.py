"""Recursive-descent parser for RFC 5228 8.2: tokens -> CommandNode tree."""

from __future__ import annotations

from .errors import SieveSyntaxError
from .lexer import Token, tokenize
from .nodes import Arg, CommandNode, Num, Str, StrList, Tag, TestNode

# Nesting of blocks and tests is bounded so hostile scripts cannot exhaust the stack.
MAX_NESTING = 64


def parse(text: str) -> tuple[CommandNode, ...]:
    return _Parser(tokenize(text)).script()


class _Parser:
    def __init__(self, tokens: list[Token]) -> None:
        self.tokens = tokens
        self.pos = 0
        self.depth = 0

    def peek(self) -> Token | None:
        return self.tokens[self.pos] if self.pos < len(self.tokens) else None

    def last_line(self) -> int:
        return self.tokens[-1].line if self.tokens else 1

    def take(self) -> Token:
        tok = self.peek()
        if tok is None:
            raise SieveSyntaxError("unexpected end of script", self.last_line())
        self.pos += 1
        return tok

    def is_punct(self, ch: str) -> bool:
        tok = self.peek()
        return tok is not None and tok.kind == "punct" and tok.value == ch

    def expect(self, ch: str) -> Token:
        tok = self.take()
        if tok.kind != "punct" or tok.value != ch:
            raise SieveSyntaxError(f"expected {ch!r}, found {tok.value!r}", tok.line)
        return tok

    def script(self) -> tuple[CommandNode, ...]:
        commands = []
        while self.peek() is not None:
            commands.append(self.command())
        return tuple(commands)

    def nest(self, line: int) -> None:
        self.depth += 1
        if self.depth > MAX_NESTING:
            raise SieveSyntaxError("nesting too deep", line)

    def command(self) -> CommandNode:
        tok = self.take()
        if tok.kind != "identifier":
            raise SieveSyntaxError(f"expected a command, found {tok.value!r}", tok.line)
        args, tests, test_list = self.arguments()
        if self.is_punct(";"):
            self.take()
            return CommandNode(str(tok.value), args, tests, None, tok.line, test_list)
        if self.is_punct("{"):
            self.take()
            self.nest(tok.line)
            block = []
            while not self.is_punct("}"):
                if self.peek() is None:
                    raise SieveSyntaxError("missing '}'", self.last_line())
                block.append(self.command())
            self.take()
            self.depth -= 1
            return CommandNode(str(tok.value), args, tests, tuple(block), tok.line, test_list)
        nxt = self.peek()
        line = nxt.line if nxt else self.last_line()
        found = repr(nxt.value) if nxt else "end of script"
        raise SieveSyntaxError(f"expected ';' or '{{' after {tok.value}, found {found}", line)

    def arguments(self) -> tuple[tuple[Arg, ...], tuple[TestNode, ...], bool]:
        args: list[Arg] = []
        while True:
            tok = self.peek()
            if tok is None:
                break
            if tok.kind == "string":
                self.take()
                args.append(Str(str(tok.value), tok.line, tok.multiline))
            elif tok.kind == "number":
                self.take()
                args.append(Num(int(tok.value), tok.line))
            elif tok.kind == "tag":
                self.take()
                args.append(Tag(str(tok.value), tok.line))
            elif tok.kind == "punct" and tok.value == "[":
                args.append(self.string_list())
            else:
                break
        tok = self.peek()
        if tok is not None and tok.kind == "identifier":
            return tuple(args), (self.test(),), False
        if tok is not None and tok.kind == "punct" and tok.value == "(":
            return tuple(args), self.test_list(), True
        return tuple(args), (), False

    def string_list(self) -> StrList:
        start = self.expect("[")
        values = []
        while True:
            tok = self.take()
            if tok.kind != "string":
                raise SieveSyntaxError("expected a string in string list", tok.line)
            values.append(str(tok.value))
            if self.is_punct(","):
                self.take()
                continue
            self.expect("]")
            return StrList(tuple(values), start.line)

    def test_list(self) -> tuple[TestNode, ...]:
        start = self.expect("(")
        self.nest(start.line)
        tests = [self.test()]
        while self.is_punct(","):
            self.take()
            tests.append(self.test())
        self.expect(")")
        self.depth -= 1
        return tuple(tests)

    def test(self) -> TestNode:
        tok = self.take()
        if tok.kind != "identifier":
            raise SieveSyntaxError(f"expected a test, found {tok.value!r}", tok.line)
        self.nest(tok.line)
        args, tests, test_list = self.arguments()
        self.depth -= 1
        return TestNode(str(tok.value), args, tests, tok.line, test_list)
