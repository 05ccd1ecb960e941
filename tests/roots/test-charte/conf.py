"""A tiny Sphinx project for the tests of repartition.sphinxext."""

project = "Essai"
language = "fr"
extensions = ["repartition.sphinxext"]
exclude_patterns = ["_build"]
