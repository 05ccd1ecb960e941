"""The rule language: parser, syntax tree, checker, interpreter, lowering and code generator."""
