"""Bulk CSV imports, shared by the feature apps (see CONTRIBUTING.md, "CSV imports: prm/imports").

An app supplies an importer (`prm.imports.importer.Importer`: its models, columns, row validation
and batch writing) and thin services, a task and views over the runner (`prm.imports.runner`) and
the view helpers (`prm.imports.views`). The models are abstract bases in `prm.imports.models`.
"""
